"""Entering the funds ledger: pledges, contributions, budget lines, spending, corrections.

One function per change, each a unit of work: it checks role, ownership and state, adds
the entry, writes the audit entry and commits once. Nothing here edits an amount or
deletes an entry: a correction is a reversing entry (``correct_entry``), and the only
state an entry moves through is a large spending's township decision
(pending → counted or refused), guarded by ``move_if``.

Receipts: the attachments feature stores files against ``(object_type, object_id)``;
spending entries take theirs as ``RECEIPT_OBJECT_TYPE`` and their id (see ``receipts``).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Community, FundEntry, User
from marketplace.models.funds import BUDGET_SOURCES, FUND_KINDS
from marketplace.services import audit
from marketplace.services.access import (
    can_approve_spending,
    can_correct_fund_entry,
    can_enter_fund_entry,
    can_read_fund_entry,
    has_role,
    owns,
    require_role,
    valid_id,
)
from marketplace.services.fields import FUNDS, MAX_FUND_YUAN, FieldReader
from marketplace.services.oversight.oversight_scope import is_pair
from marketplace.services.transitions import move_if

RECEIPT_OBJECT_TYPE = "fund_entry"
KIND_BY_LABEL = {label: kind for kind, label in FUND_KINDS.items()}
SOURCE_BY_LABEL = {label: source for source, label in BUDGET_SOURCES.items()}
ENTRY_FIELDS = ("kind", "community_id", "unit_id", "claim_id", "source", "amount_fen",
                "materials", "project", "note", "entry_date", "status")  # fmt: skip


def pledge_yuan() -> int:
    """Return a unit's default yearly pledge in yuan (a setting)."""
    return current_app.config["FUNDS_PLEDGE_YUAN"]


def approval_threshold_fen() -> int:
    """Return the spending (in fen) above which the township must approve it."""
    return current_app.config["FUNDS_APPROVAL_THRESHOLD_YUAN"] * 100


def _by_key_or_label(value, by_label: Mapping):
    """Accept a choice by its key or by its Chinese label."""
    if isinstance(value, str):
        value = value.strip()
        return by_label.get(value, value)
    return value


def _blank(data: Mapping, key: str) -> bool:
    value = data.get(key)
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class _Target:
    kind: str
    community: Community
    unit_id: int | None
    claim: Claim | None


def _target(actor: User, reader: FieldReader, data: Mapping) -> _Target | None:
    """Read kind, community, unit and claim, refusing (403) another owner's record."""
    kind = _by_key_or_label(data.get("kind"), KIND_BY_LABEL)
    if kind not in FUND_KINDS:
        choices = "、".join(FUND_KINDS.values())
        reader.fail(
            "kind", "请选择类别。" if _blank(data, "kind") else f"类别无效，可选：{choices}。"
        )
        reader.raise_if_invalid()
    claim = None
    claim_id = reader.integer("claim_id", "认领项目")
    if claim_id is not None:
        claim = db.session.get(Claim, claim_id) if valid_id(claim_id) else None
        if claim is None:
            raise NotFound("没有这个认领项目。")
    by_unit = kind in ("pledge", "contribution")
    unit_id = reader.integer("unit_id", "单位") if by_unit else None
    community_id = reader.integer("community_id", "社区")
    if by_unit:
        require_role(actor, "unit")
        unit_id = unit_id if unit_id is not None else actor.unit_id
        if community_id is None and claim is not None:
            community_id = claim.need.community_id
    else:
        require_role(actor, "community")
        community_id = community_id if community_id is not None else actor.community_id
    if not can_enter_fund_entry(actor, kind, community_id, unit_id):
        raise Forbidden(
            "只能登记本单位的帮扶经费和物资。" if by_unit else "只能登记本社区的经费和支出。"
        )
    community = db.session.get(Community, community_id) if valid_id(community_id) else None
    if community is None:
        reader.fail("community_id", "请选择有效的社区。")
        return None
    if claim is not None and (
        kind != "contribution" or not owns(actor, claim) or claim.need.community_id != community.id
    ):
        raise Forbidden("只能为本单位在该社区认领的项目登记帮扶。")
    if by_unit and claim is None and not is_pair(unit_id, community.id):
        reader.fail("community_id", "本单位未与该社区结对，请选择结对社区或本单位认领的项目。")
    return _Target(kind, community, unit_id, claim)


def enter_entry(actor: User, data: Mapping) -> FundEntry:
    """Add an entry to the ledger; spending above the threshold waits for the township."""
    reader = FieldReader(data)
    target = _target(actor, reader, data)
    kind = target.kind if target else None
    if kind == "pledge" and _blank(data, "amount_yuan"):
        amount_fen = pledge_yuan() * 100
    else:
        amount_fen = reader.money("amount_yuan", "金额", maximum_yuan=MAX_FUND_YUAN)
    source = None
    if kind == "budget":
        source = _by_key_or_label(data.get("source"), SOURCE_BY_LABEL)
        if source not in BUDGET_SOURCES:
            reader.fail("source", f"经费来源无效，可选：{'、'.join(BUDGET_SOURCES.values())}。")
    materials = reader.read("materials", FUNDS["materials"]) if kind == "contribution" else ""
    project = reader.read("project", FUNDS["project"])
    note = reader.read("note", FUNDS["note"])
    day = reader.day("date", "日期") or clock.today()
    reader.raise_if_invalid()
    if target.claim is not None and not project:
        project = target.claim.need.title[:100]
    large = kind == "spending" and amount_fen > approval_threshold_fen()
    entry = FundEntry(
        kind=kind,
        community_id=target.community.id,
        unit_id=target.unit_id,
        claim_id=target.claim.id if target.claim else None,
        source=source,
        amount_fen=amount_fen,
        materials=materials,
        project=project,
        note=note,
        entry_date=day,
        status="pending" if large else "counted",
        created_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(f"fund.{kind}", actor=actor, obj=entry, after=audit.snapshot(entry, *ENTRY_FIELDS))
    db.session.commit()
    return entry


def _load(entry_id) -> FundEntry:
    entry = db.session.get(FundEntry, entry_id) if valid_id(entry_id) else None
    if entry is None:
        raise NotFound("没有这条经费记录。")
    return entry


def get_entry(actor: User, entry_id) -> FundEntry:
    """Return an entry its unit, its community or who oversees it may see (else 403)."""
    entry = _load(entry_id)
    if not can_read_fund_entry(actor, entry):
        raise Forbidden("无权查看这条经费记录。")
    return entry


def correct_entry(actor: User, entry_id, data: Mapping) -> FundEntry:
    """Reverse a counted entry with an entry of the opposite amount (once per entry)."""
    entry = _load(entry_id)
    if not can_correct_fund_entry(actor, entry):
        raise Forbidden("只能更正本单位或本社区登记的经费记录。")
    reader = FieldReader(data)
    reason = reader.read("reason", FUNDS["reason"])
    reader.raise_if_invalid()
    if entry.reverses_id is not None:
        raise Conflict("这条记录本身是更正记录，不能再更正；如有需要请重新登记。")
    if entry.status != "counted":
        raise Conflict(f"这条记录{entry.status_label}，未入账，无需更正。")
    if entry.reversed_by is not None:
        raise Conflict("这条记录已经更正过了。")
    reversal = FundEntry(
        kind=entry.kind,
        community_id=entry.community_id,
        unit_id=entry.unit_id,
        claim_id=entry.claim_id,
        source=entry.source,
        amount_fen=-entry.amount_fen,
        materials=entry.materials,
        project=entry.project,
        note=f"更正第 {entry.id} 号记录：{reason}",
        entry_date=entry.entry_date,  # it corrects that entry's period
        status="counted",
        reverses_id=entry.id,
        created_by_id=actor.id,
    )
    db.session.add(reversal)
    try:
        db.session.flush()  # the unique reverses_id refuses a second, racing correction
    except IntegrityError:
        db.session.rollback()
        raise Conflict("这条记录已经更正过了。") from None
    audit.record(
        "fund.reverse",
        actor=actor,
        obj=reversal,
        after={"reverses_id": entry.id, "amount_fen": reversal.amount_fen, "reason": reason},
    )
    db.session.commit()
    return reversal


def decide_spending(actor: User, entry_id, approve: bool, data: Mapping | None = None) -> FundEntry:
    """Approve (it counts from now) or refuse a large spending waiting for the township."""
    require_role(actor, "township")
    entry = _load(entry_id)
    if not can_approve_spending(actor, entry):
        raise Forbidden("只能审批本乡镇（街道）所辖社区的支出。")
    reader = FieldReader(data or {})
    note = reader.read("decision_note", FUNDS["decision_note"])
    reader.raise_if_invalid()
    target = "counted" if approve else "refused"
    move_if(
        entry,
        (FundEntry.status == "pending",),
        {
            "status": target,
            "decided_by_id": actor.id,
            "decided_at": clock.utcnow(),
            "decision_note": note,
        },
        lambda row: f"这笔支出已经{row.status_label}，不能重复审批。",
    )
    audit.record(
        "fund.approve" if approve else "fund.refuse",
        actor=actor,
        obj=entry,
        before={"status": "pending"},
        after={"status": target, "note": note},
    )
    db.session.commit()
    return entry


def pending_spending(actor: User) -> list[FundEntry]:
    """Return the large spending waiting for ``actor``'s township (none for other roles)."""
    if not has_role(actor, "township"):
        return []
    return list(
        db.session.scalars(
            select(FundEntry)
            .join(Community, Community.id == FundEntry.community_id)
            .where(FundEntry.status == "pending", Community.township_id == actor.township_id)
            .options(selectinload(FundEntry.community), selectinload(FundEntry.created_by))
            .order_by(FundEntry.entry_date, FundEntry.id)
        )
    )


def receipts(actor: User, entry: FundEntry) -> list:
    """Return the receipts attached to a spending entry that ``actor`` may see."""
    from marketplace.services.attachments.attachments import gallery

    return gallery(actor, RECEIPT_OBJECT_TYPE, entry.id) if entry.kind == "spending" else []
