"""A community's needs (需求清单): create, edit, publish, withdraw, browse, expire."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Need, User
from marketplace.models.claims import OPEN_CLAIM_STATUSES
from marketplace.models.listings import (
    MEASURE_UNITS,
    OPEN_NEED_STATUSES,
)
from marketplace.services import audit
from marketplace.services.access import require_owner, require_role, valid_id
from marketplace.services.exchange.need_queries import (  # noqa: F401  (part of this module's API)
    NeedFilters,
    community_needs_page,
    get_need,
    need_options,
    needs_page,
    paired_community_ids,
)
from marketplace.services.exchange.need_state import refresh_need, work_started
from marketplace.services.fields import NEED, FieldReader, read_service_type
from marketplace.services.notifications import notify, staff_of

# Needs whose text and quantity may still change: part of it is open, or nobody has
# started the work yet. Withdrawing also needs that no unit has started (``work_started``).
EDITABLE_STATUSES = ("draft", "published", "partly_claimed", "fully_claimed")
WITHDRAWABLE_STATUSES = EDITABLE_STATUSES
AUDIT_FIELDS = ("status", "claimed", "quantity", "title")


def _need_values(reader: FieldReader, current: Need | None) -> dict:
    """Validate the need fields in ``reader``; keys not given keep ``current`` values."""

    def given(key):
        return current is None or reader.has(key)

    values = {}
    if given("type_id"):
        values["type_id"] = read_service_type(reader, "需求类型")
    if given("title"):
        values["title"] = reader.read("title", NEED["title"])
    if given("description"):
        values["description"] = reader.read("description", NEED["description"])
    if given("quantity"):
        values["quantity"] = reader.read("quantity", NEED["quantity"])
    if given("measure_unit"):
        values["measure_unit"] = reader.choice(
            "measure_unit", "计量单位", MEASURE_UNITS, default="people"
        )
    if given("urgency"):
        values["urgency"] = reader.read("urgency", NEED["urgency"])
    for key, label in (("starts_on", "开始日期"), ("ends_on", "结束日期")):
        if given(key):
            values[key] = reader.day(key, label)
    starts_on = values.get("starts_on", current.starts_on if current else None)
    ends_on = values.get("ends_on", current.ends_on if current else None)
    if starts_on and ends_on and ends_on < starts_on:
        reader.fail("ends_on", "结束日期不能早于开始日期。")
    if "ends_on" in values and ends_on and ends_on < clock.today():
        reader.fail("ends_on", "结束日期不能早于今天。")
    return values


def create_need(actor: User, data, *, publish: bool = False) -> Need:
    """Create a need for the actor's community, as a draft or published at once."""
    require_role(actor, "community")
    reader = FieldReader(data)
    values = _need_values(reader, None)
    reader.raise_if_invalid()
    need = Need(
        community_id=actor.community_id,
        created_by_id=actor.id,
        claimed=0,
        status="published" if publish else "draft",
        **values,
    )
    db.session.add(need)
    db.session.flush()
    audit.record("need.create", actor=actor, obj=need, after=audit.snapshot(need, *AUDIT_FIELDS))
    db.session.commit()
    return need


def lock_need(need_id: int) -> Need:
    """Load a need and lock its row until commit (PostgreSQL; SQLite already serialises)."""
    need = (
        db.session.get(Need, need_id, with_for_update=True, populate_existing=True)
        if valid_id(need_id)
        else None
    )
    if need is None:
        raise NotFound("需求不存在。")
    return need


def _own_need(actor: User, need_id: int) -> Need:
    require_role(actor, "community")
    return require_owner(actor, lock_need(need_id))


def update_need(actor: User, need_id: int, data) -> Need:
    """Change a need of the actor's community before its work has started."""
    need = _own_need(actor, need_id)
    if need.status not in EDITABLE_STATUSES:
        raise Conflict(f"需求当前状态为「{need.status_label}」，不能再修改。")
    reader = FieldReader(data)
    values = _need_values(reader, need)
    quantity = values.get("quantity")
    if quantity is not None and quantity < need.claimed:
        reader.fail("quantity", f"数量不能少于已认领的 {need.claimed}。")
    reader.raise_if_invalid()
    before = audit.snapshot(need, *AUDIT_FIELDS)
    for key, value in values.items():
        setattr(need, key, value)
    # A new quantity can fill or reopen the need: its state follows from its claims.
    refresh_need(need)
    _record_and_commit("need.update", actor, need, before)
    return need


def _record_and_commit(action: str, actor: User, need: Need, before: dict) -> None:
    audit.record(
        action, actor=actor, obj=need, before=before, after=audit.snapshot(need, *AUDIT_FIELDS)
    )
    db.session.commit()


def publish_need(actor: User, need_id: int) -> Need:
    """Publish a draft need so units can see and claim it."""
    need = _own_need(actor, need_id)
    if need.status != "draft":
        raise Conflict(f"只有草稿可以发布，该需求当前为「{need.status_label}」。")
    if need.ends_on and need.ends_on < clock.today():
        raise Conflict("需求的结束日期已过，请先修改时间再发布。")
    before = audit.snapshot(need, *AUDIT_FIELDS)
    need.status = "published"
    _record_and_commit("need.publish", actor, need, before)
    return need


def withdraw_need(actor: User, need_id: int) -> Need:
    """Withdraw a need before any claim on it is in progress; open claims are declined."""
    need = _own_need(actor, need_id)
    if need.status not in WITHDRAWABLE_STATUSES:
        raise Conflict(f"需求当前状态为「{need.status_label}」，不能撤回。")
    if work_started(need.id):
        raise Conflict("已有单位开始实施该需求，不能撤回；可把数量改为已认领数以停止接受新认领。")
    before = audit.snapshot(need, *AUDIT_FIELDS)
    open_claims = db.session.scalars(
        select(Claim)
        .options(joinedload(Claim.unit))
        .where(Claim.need_id == need.id, Claim.status.in_(OPEN_CLAIM_STATUSES))
    ).all()
    for claim in open_claims:
        audit.record(
            "claim.decline",
            actor=actor,
            obj=claim,
            before={"status": claim.status},
            after={"status": "declined"},
            detail="需求已撤回",
        )
        claim.status = "declined"
        notify(
            staff_of(unit_id=claim.unit_id),
            "claim_declined",
            f"社区已撤回需求「{need.title}」，您的认领已取消。",
            f"/needs/{need.id}",
        )
    need.claimed = 0
    need.status = "withdrawn"
    _record_and_commit("need.withdraw", actor, need, before)
    return need


def expire_overdue_needs(today: date | None = None) -> int:
    """Mark unclaimed published needs past their window as expired; return how many."""
    today = today or clock.today()
    # Only needs nobody has claimed: expiring a need with live claims would strand them.
    overdue = db.session.scalars(
        select(Need)
        .where(
            Need.status.in_(OPEN_NEED_STATUSES),
            Need.claimed == 0,
            Need.ends_on.is_not(None),
            Need.ends_on < today,
        )
        .with_for_update()
    ).all()
    for need in overdue:
        before = audit.snapshot(need, *AUDIT_FIELDS)
        need.status = "expired"
        audit.record(
            "need.expire",
            obj=need,
            before=before,
            after=audit.snapshot(need, *AUDIT_FIELDS),
            username="system",
        )
    db.session.commit()
    return len(overdue)
