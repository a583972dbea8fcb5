"""Escalation and coordinated assignment (上报 and 统筹安排).

A community escalates an open need or an action item to its township with a reason;
the township assigns it to a unit or passes it on to the county, whose reviewers assign
it. The assigned unit accepts (for a need this makes a claim, the house's race-safe
``claim_need``) or explains why not, which puts it back in the same level's queue.
Every move is one conditional UPDATE on the escalation's current state, and a partial
unique index keeps one active escalation per need or action item.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import ActionItem, Escalation, Need, Unit, User
from marketplace.models._common import utcnow
from marketplace.models.escalations import ACTIVE_ESCALATION_STATUSES
from marketplace.models.listings import OPEN_NEED_STATUSES
from marketplace.services import audit
from marketplace.services.access import (
    MAX_ID,
    handles_escalations,
    handling_level,
    is_community_staff,
    require_assigned_unit,
    require_role,
    valid_id,
)
from marketplace.services.exchange import claims
from marketplace.services.fields import ESCALATION, FieldReader
from marketplace.services.notifications import notify, staff_of
from marketplace.services.transitions import move_if

QUEUE_URL = "/escalations/"


def _reason(data: dict, label: str = "上报理由") -> str:
    reader = FieldReader(data)
    reason = reader.read("reason", ESCALATION["reason"], label=label)
    reader.raise_if_invalid()
    return reason


def _township_staff(township_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), User.township_id == township_id)
        )
    )


def _reviewers() -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.active.is_(True), User.role == "reviewer"))
    )


def _insert(actor: User, escalation: Escalation, what: str) -> Escalation:
    db.session.add(escalation)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"该{what}已经上报，正在处理中，请勿重复上报。") from None
    audit.record(
        "escalation.create",
        actor=actor,
        obj=escalation,
        after={"level": "township", "status": "open"},
        detail=escalation.reason[:500],
    )
    notify(
        _township_staff(escalation.township_id),
        "escalation_new",
        f"{actor.community.name}上报了{what}「{escalation.subject}」，请统筹安排。",
        QUEUE_URL,
    )
    db.session.commit()
    return escalation


def escalate_need(actor: User, need_id, data: dict) -> Escalation:
    """Escalate one of the actor's community's open needs to its township."""
    require_role(actor, "community")
    reason = _reason(data)
    need = db.session.get(Need, need_id) if valid_id(need_id) else None
    if need is None:
        raise NotFound("需求不存在。")
    if not is_community_staff(actor, need.community_id):
        raise Forbidden("只能上报本社区的需求。")
    if need.status not in OPEN_NEED_STATUSES:
        raise Conflict(f"该需求当前为「{need.status_label}」，只有待认领的需求可以上报。")
    escalation = Escalation(
        need=need,
        community_id=need.community_id,
        township_id=actor.community.township_id,
        reason=reason,
        created_by_id=actor.id,
    )
    return _insert(actor, escalation, "需求")


def escalate_action_item(actor: User, item_id, data: dict) -> Escalation:
    """Escalate an open action item of the actor's community's meeting to its township."""
    require_role(actor, "community")
    reason = _reason(data)
    item = db.session.get(ActionItem, item_id) if valid_id(item_id) else None
    if item is None:
        raise NotFound("会议事项不存在。")
    if not is_community_staff(actor, item.meeting.community_id):
        raise Forbidden("只能上报本社区联席会议的事项。")
    if item.status != "open":
        raise Conflict(f"该事项当前为「{item.status_label}」，不能上报。")
    item.status = "escalated"
    escalation = Escalation(
        action_item=item,
        community_id=actor.community_id,
        township_id=actor.community.township_id,
        reason=reason,
        created_by_id=actor.id,
    )
    return _insert(actor, escalation, "会议事项")


def get_escalation(escalation_id) -> Escalation:
    """Load an escalation or raise NotFound."""
    escalation = db.session.get(Escalation, escalation_id) if valid_id(escalation_id) else None
    if escalation is None:
        raise NotFound("上报事项不存在。")
    return escalation


def _handler(actor: User, escalation_id) -> Escalation:
    """Load an escalation the actor's level handles (township: its own; reviewer: county)."""
    require_role(actor, "township", "reviewer")
    escalation = get_escalation(escalation_id)
    if not handles_escalations(actor, escalation.township_id):
        raise Forbidden("只能处理本乡镇（街道）的上报事项。")
    if escalation.level != handling_level(actor):
        raise Conflict(f"该事项目前由{escalation.level_label}处理。")
    return escalation


def _move(escalation: Escalation, expected: dict, values: dict) -> None:
    """Apply ``values`` only if the row still has ``expected``; refuse otherwise."""
    move_if(
        escalation,
        tuple(getattr(Escalation, column) == value for column, value in expected.items()),
        values,
        lambda now: f"该事项当前为「{now.status_label}」，请刷新后再试。",
    )


def assign(actor: User, escalation_id, data: dict) -> Escalation:
    """Assign an open escalation of the actor's level to a unit (统筹安排)."""
    escalation = _handler(actor, escalation_id)
    reader = FieldReader(data)
    unit_id = reader.integer("unit_id", "承接单位", minimum=1, maximum=MAX_ID)
    if unit_id is None and "unit_id" not in reader.errors:
        reader.fail("unit_id", "请选择承接单位。")
    reader.raise_if_invalid()
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise InvalidInput("承接单位不存在。", field="unit_id")
    if escalation.need is not None and escalation.need.status not in OPEN_NEED_STATUSES:
        raise Conflict(f"该需求当前为「{escalation.need.status_label}」，无需再指派。")
    _move(
        escalation,
        {"status": "open", "level": escalation.level},
        {"status": "assigned", "assigned_unit_id": unit.id, "assigned_at": utcnow()},
    )
    audit.record(
        "escalation.assign",
        actor=actor,
        obj=escalation,
        before={"status": "open"},
        after={"status": "assigned", "unit_id": unit.id},
        detail=unit.name,
    )
    notify(
        staff_of(unit_id=unit.id),
        "escalation_assigned",
        f"{escalation.level_label}统筹安排：请承接「{escalation.subject}」，或说明不能承接的原因。",
        QUEUE_URL,
    )
    db.session.commit()
    return escalation


def escalate_to_county(actor: User, escalation_id, data: dict) -> Escalation:
    """Pass an open escalation from the township on to the county's reviewers."""
    require_role(actor, "township")
    escalation = _handler(actor, escalation_id)
    reason = _reason(data)
    _move(
        escalation,
        {"status": "open", "level": "township"},
        {"level": "county", "county_reason": reason, "level_since": utcnow()},
    )
    audit.record(
        "escalation.escalate",
        actor=actor,
        obj=escalation,
        before={"level": "township"},
        after={"level": "county"},
        detail=reason,
    )
    notify(
        _reviewers(),
        "escalation_new",
        f"{escalation.township.name}上报「{escalation.subject}」至县委组织部，请统筹安排。",
        QUEUE_URL,
    )
    db.session.commit()
    return escalation


def answer(actor: User, escalation_id, data: dict) -> Escalation:
    """The assigned unit accepts (a claim is made) or explains why it cannot."""
    require_role(actor, "unit")
    escalation = get_escalation(escalation_id)
    require_assigned_unit(actor, escalation.assigned_unit_id, "该事项没有指派给本单位。")
    reader = FieldReader(data)
    accept = str(data.get("accept", "")).lower() in ("1", "true", "yes", "on")
    note = reader.read("note", ESCALATION["note"], required=not accept)
    reader.raise_if_invalid()
    expected = {"status": "assigned", "assigned_unit_id": actor.unit_id}
    if not accept:
        _move(
            escalation, expected, {"status": "open", "assigned_unit_id": None, "unit_answer": note}
        )
        audit.record("escalation.refuse", actor=actor, obj=escalation, detail=note)
        users = (
            _township_staff(escalation.township_id)
            if escalation.level == "township"
            else _reviewers()
        )
        notify(
            users,
            "escalation_refused",
            f"{actor.unit.name}不能承接「{escalation.subject}」：{note[:60]}",
            QUEUE_URL,
        )
        db.session.commit()
        return escalation
    _move(
        escalation, expected, {"status": "resolved", "resolved_at": utcnow(), "unit_answer": note}
    )
    audit.record("escalation.accept", actor=actor, obj=escalation, detail=note)
    notify(
        staff_of(community_id=escalation.community_id),
        "escalation_resolved",
        f"「{escalation.subject}」已由{actor.unit.name}承接（{escalation.level_label}统筹安排）。",
        QUEUE_URL,
    )
    if escalation.need is None:
        item = escalation.action_item
        item.owner_unit_id, item.status = actor.unit_id, "open"
        db.session.commit()
        return escalation
    need = escalation.need
    # The claim commits this whole unit of work, or rolls it all back if refused.
    try:
        claims.claim_need(actor, need.id, need.remaining, f"统筹安排承接。{note}"[:1000])
    except Exception:
        db.session.rollback()
        raise
    return escalation


def withdraw(actor: User, escalation_id) -> Escalation:
    """The community takes back an escalation still being handled."""
    require_role(actor, "community")
    escalation = get_escalation(escalation_id)
    if not is_community_staff(actor, escalation.community_id):
        raise Forbidden("只能撤回本社区的上报事项。")
    if escalation.status not in ACTIVE_ESCALATION_STATUSES:
        raise Conflict(f"该事项当前为「{escalation.status_label}」，不能撤回。")
    _move(escalation, {"status": escalation.status}, {"status": "withdrawn"})
    if escalation.action_item is not None and escalation.action_item.status == "escalated":
        escalation.action_item.status = "open"
    audit.record("escalation.withdraw", actor=actor, obj=escalation)
    db.session.commit()
    return escalation
