"""Joint meetings (联席会议): record one with its attendance, draft its agenda, action items.

A community meets monthly (reporting claimed projects' progress, agreeing next
month's theme), a township monthly, the county quarterly. The host's level follows from
the role: community staff host their community's, township staff their township's,
reviewers the county's.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import (
    ActionItem,
    Claim,
    Community,
    Escalation,
    JointMeeting,
    MeetingAttendance,
    Need,
    Unit,
    User,
)
from marketplace.models._common import utcnow
from marketplace.models.escalations import ACTIVE_ESCALATION_STATUSES
from marketplace.services import audit
from marketplace.services.access import (
    has_role,
    hosts_meeting,
    may_finish_action_item,
    require_role,
    valid_id,
)
from marketplace.services.exchange.claim_queries import project_progress
from marketplace.services.fields import MEETING, FieldReader
from marketplace.services.notifications import notify, staff_of
from marketplace.services.oversight.escalation_queues import stale_needs_query
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.services.oversight.oversight_scope import (
    actor_community_ids,
    paired_unit_ids,
)
from marketplace.services.pagination import Page, paginate
from marketplace.services.pairing.pairing_plans import default_county

HOST_LEVEL = {"community": "community", "township": "township", "reviewer": "county"}
MEETINGS_URL = "/meetings/"
AGENDA_LIMIT = 20


def invited_units(actor: User) -> list[Unit]:
    """Return the units a host invites: its pairs (community), its communities' pairs, or all."""
    require_role(actor, *HOST_LEVEL)
    query = select(Unit).order_by(Unit.id)
    if not has_role(actor, "reviewer"):
        query = query.where(Unit.id.in_(paired_unit_ids(actor_community_ids(actor))))
    return list(db.session.scalars(query))


def draft_agenda(actor: User) -> dict:
    """Draft the agenda from the host's area: projects, stale needs, escalations, open items."""
    require_role(actor, *HOST_LEVEL)
    community_ids = actor_community_ids(actor)
    claims = db.session.scalars(
        select(Claim)
        .join(Need, Need.id == Claim.need_id)
        .where(Claim.status.in_(("accepted", "in_progress")), Need.community_id.in_(community_ids))
        .options(selectinload(Claim.reports), selectinload(Claim.unit), selectinload(Claim.need))
        .order_by(Claim.updated_at.desc())
        .limit(AGENDA_LIMIT)
    ).all()
    stale = db.session.scalars(stale_needs_query(community_ids).limit(AGENDA_LIMIT)).all()
    escalations = db.session.scalars(
        select(Escalation)
        .where(
            Escalation.community_id.in_(community_ids),
            Escalation.status.in_(ACTIVE_ESCALATION_STATUSES),
        )
        .order_by(Escalation.created_at)
        .limit(AGENDA_LIMIT)
    ).all()
    items = db.session.scalars(
        _scope(select(ActionItem).join(ActionItem.meeting), actor)
        .where(ActionItem.status == "open")
        .order_by(ActionItem.due_on)
        .limit(AGENDA_LIMIT)
    ).all()
    return {
        "projects": [
            {
                "claim_id": claim.id,
                "need_id": claim.need_id,
                "title": claim.need.title,
                "unit": claim.unit.name,
                "latest": claim.reports[-1].note if claim.reports else "尚无进展汇报",
                "percent": project_progress(claim),
            }
            for claim in claims
        ],
        "stale_needs": [
            {"need_id": need.id, "title": need.title, "since": need.created_at.date().isoformat()}
            for need in stale
        ],
        "escalations": [
            {"id": e.id, "title": e.subject, "level": e.level_label, "status": e.status_label}
            for e in escalations
        ],
        "action_items": [
            {
                "id": item.id,
                "title": item.title,
                "owner": item.owner_label,
                "due_on": item.due_on.isoformat() if item.due_on else "",
            }
            for item in items
        ],
    }


def _scope(query, actor: User):
    """Limit a query over JointMeeting to the meetings the actor may see."""
    if has_role(actor, "community"):
        return query.where(JointMeeting.community_id == actor.community_id)
    if has_role(actor, "township"):
        communities = select(Community.id).where(Community.township_id == actor.township_id)
        return query.where(
            or_(
                JointMeeting.township_id == actor.township_id,
                JointMeeting.community_id.in_(communities),
            )
        )
    if has_role(actor, "unit"):
        invited = select(MeetingAttendance.meeting_id).where(
            MeetingAttendance.unit_id == actor.unit_id
        )
        return query.where(JointMeeting.id.in_(invited))
    return query  # reviewers see every meeting


def record_meeting(actor: User, data: dict) -> JointMeeting:
    """Record a meeting the actor hosted: date, theme, who came, minutes, next theme."""
    require_role(actor, *HOST_LEVEL)
    reader = FieldReader(data)
    held_on = reader.day("held_on", "会议日期")
    if held_on is None and "held_on" not in reader.errors:
        reader.fail("held_on", "请填写会议日期。")
    if held_on and held_on > county_today():
        reader.fail("held_on", "会议日期不能晚于今天：请在会后记录。")
    theme = reader.read("theme", MEETING["theme"])
    minutes = reader.read("minutes", MEETING["minutes"])
    next_theme = reader.read("next_theme", MEETING["next_theme"])
    invited = {unit.id: unit for unit in invited_units(actor)}
    present = _unit_ids(data.get("present"), reader)
    if present - invited.keys():
        reader.fail("present", "出席单位只能从受邀单位中选择。")
    reader.raise_if_invalid()
    meeting = JointMeeting(
        level=HOST_LEVEL[actor.role],
        county_id=default_county().id,
        township_id=actor.township_id if has_role(actor, "township") else None,
        community_id=actor.community_id if has_role(actor, "community") else None,
        held_on=held_on,
        theme=theme,
        minutes=minutes,
        next_theme=next_theme,
        agenda=draft_agenda(actor),
        created_by_id=actor.id,
    )
    meeting.attendance = [
        MeetingAttendance(unit_id=unit_id, present=unit_id in present) for unit_id in invited
    ]
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        "meeting.record",
        actor=actor,
        obj=meeting,
        after={"held_on": held_on.isoformat(), "present": len(present), "invited": len(invited)},
        detail=theme,
    )
    db.session.commit()
    return meeting


def _unit_ids(raw, reader: FieldReader) -> set[int]:
    values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
    ids = set()
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            reader.fail("present", "出席单位无效。")
            continue
        if valid_id(number):
            ids.add(number)
        else:
            reader.fail("present", "出席单位无效。")
    return ids


def get_meeting(actor: User, meeting_id) -> JointMeeting:
    """Load a meeting the actor may see, or raise NotFound / Forbidden."""
    require_role(actor, "community", "township", "reviewer", "unit")
    meeting = db.session.get(JointMeeting, meeting_id) if valid_id(meeting_id) else None
    if meeting is None:
        raise NotFound("会议记录不存在。")
    visible = db.session.scalar(
        _scope(select(JointMeeting.id), actor).where(JointMeeting.id == meeting.id)
    )
    if visible is None:
        raise Forbidden("无权查看该会议记录。")
    return meeting


def is_host(actor: User, meeting: JointMeeting) -> bool:
    """Tell whether the actor hosts the meeting (records its items and closes them)."""
    return hosts_meeting(actor, meeting)


def add_action_item(actor: User, meeting_id, data: dict) -> ActionItem:
    """Add a decision to a meeting the actor hosted: what, who, by when."""
    meeting = get_meeting(actor, meeting_id)
    if not is_host(actor, meeting):
        raise Forbidden("只有会议主持方可以添加会议事项。")
    reader = FieldReader(data)
    title = reader.read("title", MEETING["item_title"])
    owner_unit_id = reader.integer("owner_unit_id", "责任单位", minimum=1, maximum=2**31 - 1)
    owner_name = reader.read("owner_name", MEETING["owner_name"])
    due_on = reader.day("due_on", "完成期限")
    invited = {row.unit_id for row in meeting.attendance}
    if owner_unit_id and owner_unit_id not in invited:
        reader.fail("owner_unit_id", "责任单位只能从受邀单位中选择。")
    if not owner_unit_id and not owner_name:
        reader.fail("owner_name", "请选择责任单位或填写责任人。")
    reader.raise_if_invalid()
    item = ActionItem(
        meeting=meeting,
        title=title,
        owner_unit_id=owner_unit_id,
        owner_name=owner_name,
        due_on=due_on,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        "action_item.create", actor=actor, obj=item, after={"status": "open"}, detail=title
    )
    if owner_unit_id:
        notify(
            staff_of(unit_id=owner_unit_id),
            "action_item_assigned",
            f"{meeting.host_name}联席会议请贵单位落实：{title}",
            MEETINGS_URL,
        )
    db.session.commit()
    return item


def get_action_item(actor: User, item_id) -> ActionItem:
    """Load an action item of a meeting the actor may see, or raise NotFound / Forbidden."""
    item = db.session.get(ActionItem, item_id) if valid_id(item_id) else None
    if item is None:
        raise NotFound("会议事项不存在。")
    get_meeting(actor, item.meeting_id)
    return item


def complete_action_item(actor: User, item_id) -> ActionItem:
    """Mark an open action item done (its meeting's host or its owner unit)."""
    item = get_action_item(actor, item_id)
    if not may_finish_action_item(actor, item):
        raise Forbidden("只有会议主持方或责任单位可以办结该事项。")
    if item.status != "open":
        raise Conflict(f"该事项当前为「{item.status_label}」，不能办结。")
    item.status, item.done_at = "done", utcnow()
    audit.record(
        "action_item.done",
        actor=actor,
        obj=item,
        before={"status": "open"},
        after={"status": "done"},
    )
    db.session.commit()
    return item


def meetings_page(actor: User, page: int = 1, per_page: int = 20) -> Page:
    """Return the meetings the actor may see, newest first."""
    require_role(actor, "community", "township", "reviewer", "unit")
    loads = (
        selectinload(JointMeeting.attendance),
        selectinload(JointMeeting.community),
        selectinload(JointMeeting.township),
        selectinload(JointMeeting.county),
    )
    query = _scope(select(JointMeeting).options(*loads), actor)
    return paginate(
        query.order_by(JointMeeting.held_on.desc(), JointMeeting.id.desc()), page, per_page
    )


def check_host(actor: User) -> None:
    """Refuse a role that hosts no joint meeting (units attend, they do not host)."""
    if not has_role(actor, *HOST_LEVEL):
        raise Forbidden("驻区单位参加联席会议，由社区、乡镇（街道）或组织部记录会议。")
    if has_role(actor, "township") and actor.township_id is None:
        raise InvalidInput("账号未绑定乡镇（街道）。")
