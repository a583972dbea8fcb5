"""Each kind of record that takes attachments: how to load it, who sees it, who adds.

The checks are the record's own (its service's loader or a named policy in
``services/access.py``), so a file is shown to exactly who may see its record. The
public sees only what a public page shows: a fulfilled wish's photos its community
marked public.
"""

from collections.abc import Callable
from dataclasses import dataclass

from marketplace.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.models import (
    Attachment,
    Claim,
    FundEntry,
    JointMeeting,
    PairActivity,
    ServiceRecord,
    Ticket,
    User,
    Wish,
)
from marketplace.services.access import (
    can_enter_fund_entry,
    can_read_fund_entry,
    has_role,
    is_activity_side,
    is_claim_party,
    is_community_staff,
    is_self,
    is_wish_party,
    oversees_community,
    valid_id,
)

PUBLIC_WISH_STATUSES = ("fulfilled", "confirmed")
# the API's path segment -> the record kind stored on the row
API_KINDS = {
    "pair-activities": "pair_activity",
    "meetings": "meeting",
    "claims": "claim",
    "service-records": "service_record",
    "wishes": "wish",
    "hotline/requests": "ticket",
    "funds/entries": "fund_entry",
}


@dataclass(frozen=True)
class RecordKind:
    model: type
    missing: str  # the refusal when the record does not exist
    sees: Callable[[User | None, object], bool]
    adds: Callable[[User | None, object], bool]
    public: Callable[[object], bool] = lambda record: False


def _sees_meeting(user, meeting) -> bool:
    from marketplace.services.oversight.meetings import get_meeting

    try:
        get_meeting(user, meeting.id)
    except DomainError:
        return False
    return True


def _hosts_meeting(user, meeting) -> bool:
    from marketplace.services.oversight.meetings import is_host

    return has_role(user, "community", "township", "reviewer") and is_host(user, meeting)


def _sees_claim(user, claim) -> bool:
    return is_claim_party(user, claim) or oversees_community(user, claim.need.community)


def _sees_service(user, record) -> bool:
    return is_community_staff(user, record.community_id) or _own_service(user, record)


def _own_service(user, record) -> bool:
    return has_role(user, "member") and is_self(user, record.member.user_id)


def _ticket_staff(user, ticket) -> bool:
    from marketplace.services.hotline.hotline_queries import ticket_for_viewer

    try:
        return ticket_for_viewer(user, ticket.id)[1]
    except DomainError:
        return False


KINDS = {
    "pair_activity": RecordKind(
        PairActivity,
        "对接活动不存在。",
        sees=lambda u, r: is_activity_side(u, r) or oversees_community(u, r.community),
        adds=is_activity_side,
    ),
    "meeting": RecordKind(JointMeeting, "会议记录不存在。", _sees_meeting, _hosts_meeting),
    "claim": RecordKind(Claim, "认领记录不存在。", _sees_claim, is_claim_party),
    "service_record": RecordKind(
        ServiceRecord,
        "服务记录不存在。",
        _sees_service,
        adds=lambda u, r: is_community_staff(u, r.community_id) or _own_service(u, r),
    ),
    "wish": RecordKind(
        Wish,
        "微心愿不存在。",
        sees=lambda u, r: is_wish_party(u, r) or oversees_community(u, r.community),
        adds=is_wish_party,
        public=lambda wish: wish.status in PUBLIC_WISH_STATUSES,
    ),
    "ticket": RecordKind(Ticket, "热线工单不存在。", _ticket_staff, _ticket_staff),
    # receipts of a community's spending: read as the entry is, added by who may enter it
    "fund_entry": RecordKind(
        FundEntry,
        "经费记录不存在。",
        sees=can_read_fund_entry,
        adds=lambda u, r: (
            r.kind == "spending" and can_enter_fund_entry(u, r.kind, r.community_id, r.unit_id)
        ),
    ),
}


def load_record(kind: str, record_id):
    """Return the record of ``kind`` with ``record_id``, or raise NotFound."""
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound("不支持为该类记录上传附件。")
    record = db.session.get(spec.model, record_id) if valid_id(record_id) else None
    if record is None:
        raise NotFound(spec.missing)
    return record


def sees_record(user: User | None, kind: str, record) -> bool:
    """Tell whether ``user`` may see ``record`` and its private attachments."""
    return KINDS[kind].sees(user, record)


def adds_to_record(user: User | None, kind: str, record) -> bool:
    """Tell whether ``user`` may add attachments to (and remove them from) ``record``."""
    return KINDS[kind].adds(user, record)


def shown_publicly(attachment: Attachment, record) -> bool:
    """Tell whether an attachment is on a public page (marked public, record shown)."""
    return attachment.is_public and KINDS[attachment.record_kind].public(record)


def may_mark_public(kind: str) -> bool:
    """Tell whether attachments of ``kind`` can be shown on public pages at all."""
    return kind == "wish"
