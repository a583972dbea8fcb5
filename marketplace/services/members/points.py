"""Members' points (积分) as a ledger: award, redeem, correct, check.

Every change is a ``PointEntry`` naming its source; ``Member.points_balance`` is a cache
of their sum, moved in the same transaction by one conditional ``UPDATE`` that refuses to
go below zero (its row count is checked, a CHECK constraint stands behind it), so two
redemptions racing for the last points cannot both pass. ``award`` and ``redeem`` add to
the caller's transaction and never commit: other services (wishes, the hotline) call them
inside their own unit of work. ``flask points check`` compares every cache with its
entries.

Service records (logged or checked in) earn points per confirmed hour, the setting
``POINTS_PER_HOUR``: three hours earn three times one hour. The other sources earn a value
per record, ``PointRule`` rows the admin edits; ``DEFAULT_POINTS`` holds the values used
until a rule is saved.
"""

from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import func, select, update

from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Member, PointEntry, PointRule, ShopItem, User
from marketplace.models.points import AWARDED_SOURCES, POINT_SOURCES
from marketplace.services import audit
from marketplace.services.access import in_staff_community, require_role, valid_id
from marketplace.services.fields import POINTS, FieldReader
from marketplace.services.notifications import notify

HOURLY_SOURCES = ("service", "activity")  # earn points per confirmed hour
PER_RECORD_SOURCES = tuple(kind for kind in AWARDED_SOURCES if kind not in HOURLY_SOURCES)
DEFAULT_POINTS = {"wish": 20, "hotline": 15, "checklist": 50}
MAX_CORRECTION = 10_000


def points_per_hour() -> int:
    """Return the points one confirmed hour of service earns (setting ``POINTS_PER_HOUR``)."""
    return int(current_app.config["POINTS_PER_HOUR"])


def hours_points(hours: float) -> int:
    """Return the points ``hours`` of confirmed service earn (half up: 0.5 h × 5 = 3)."""
    exact = Decimal(str(hours)) * points_per_hour()
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def point_value(kind: str) -> int:
    """Return how many points one record of a per-record ``kind`` earns now."""
    rule = db.session.get(PointRule, kind)
    return rule.points if rule is not None else DEFAULT_POINTS.get(kind, 0)


def rules() -> list[tuple[str, str, int]]:
    """Return (kind, label, points) for every source paid per record."""
    return [(kind, POINT_SOURCES[kind], point_value(kind)) for kind in PER_RECORD_SOURCES]


def set_rules(actor: User, data) -> None:
    """Save the admin's point values per source."""
    require_role(actor, "admin")
    reader = FieldReader(data)
    values = {
        kind: reader.integer(kind, POINT_SOURCES[kind], minimum=0, maximum=1000, required=True)
        for kind in PER_RECORD_SOURCES
    }
    reader.raise_if_invalid()
    before = {kind: point_value(kind) for kind in PER_RECORD_SOURCES}
    for kind, points in values.items():
        rule = db.session.get(PointRule, kind)
        if rule is None:
            db.session.add(PointRule(source_kind=kind, points=points, updated_by_id=actor.id))
        else:
            rule.points, rule.updated_by_id = points, actor.id
    audit.record(
        "point_rules.updated", actor=actor, object_type="point_rule", before=before, after=values
    )
    db.session.commit()


def _move(member_id: int, amount: int) -> int | None:
    """Add ``amount`` to the cached balance unless it would go below zero; return it."""
    moved = db.session.execute(
        update(Member)
        .where(Member.id == member_id, Member.points_balance + amount >= 0)
        .values(points_balance=Member.points_balance + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return None
    return db.session.scalar(select(Member.points_balance).where(Member.id == member_id))


def _entry(member: Member, amount: int, kind: str, source_id, reason: str, actor) -> PointEntry:
    if kind not in POINT_SOURCES:
        raise ValueError(f"unknown point source {kind!r}")
    balance = _move(member.id, amount)
    if balance is None:
        have = db.session.scalar(select(Member.points_balance).where(Member.id == member.id))
        raise Conflict(f"积分不足：{member.name}当前积分 {have}，需要 {-amount}。")
    entry = PointEntry(
        member_id=member.id,
        amount=amount,
        source_kind=kind,
        source_id=source_id,
        reason=reason[:500],
        balance_after=balance,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    db.session.expire(member, ["points_balance"])
    return entry


def award(
    member: Member,
    kind: str,
    source_id: int | None = None,
    *,
    amount: int | None = None,
    reason: str = "",
    actor: User | None = None,
) -> PointEntry | None:
    """Add a positive entry for a record of ``kind`` (once per record); no commit.

    ``amount`` defaults to the rule's value (hourly sources must give it); a rule of 0
    awards nothing (None).
    """
    if kind in AWARDED_SOURCES and source_id is not None:
        existing = db.session.scalar(
            select(PointEntry).where(
                PointEntry.member_id == member.id,
                PointEntry.source_kind == kind,
                PointEntry.source_id == source_id,
            )
        )
        if existing is not None:
            return existing
    if amount is None and kind in HOURLY_SOURCES:
        raise ValueError(f"{kind!r} points follow the hours: give the amount")
    amount = point_value(kind) if amount is None else amount
    if amount <= 0:
        return None
    return _entry(member, amount, kind, source_id, reason, actor)


def redeem(
    member: Member,
    amount: int,
    *,
    kind: str = "redemption",
    source_id: int | None = None,
    reason: str = "",
    actor: User | None = None,
) -> PointEntry:
    """Add a negative entry, refused (Conflict) when the balance would go below zero."""
    if amount <= 0:
        raise InvalidInput("兑换积分必须大于 0。", field="amount")
    return _entry(member, -amount, kind, source_id, reason, actor)


def _community_member(actor: User, member_id) -> Member:
    require_role(actor, "community")
    member = db.session.get(Member, member_id) if valid_id(member_id) else None
    if not in_staff_community(actor, member):
        raise NotFound("本社区没有该报到党员。")
    return member


def correct(actor: User, member_id, data) -> PointEntry:
    """Record a staff correction (positive or negative) with its reason."""
    member = _community_member(actor, member_id)
    reader = FieldReader(data)
    amount = reader.integer(
        "amount", "更正积分", minimum=-MAX_CORRECTION, maximum=MAX_CORRECTION, required=True
    )
    reason = reader.read("reason", POINTS["reason"])
    if amount == 0:
        reader.fail("amount", "更正积分不能为 0。")
    reader.raise_if_invalid()
    entry = _entry(member, amount, "correction", None, reason, actor)
    audit.record(
        "points.corrected", actor=actor, obj=entry, after={"amount": amount}, detail=reason
    )
    notify([member.user], "points", f"社区更正了您的积分 {amount:+d}：{reason}")
    db.session.commit()
    return entry


def redeem_item(actor: User, member_id, item_id) -> PointEntry:
    """Exchange one shop item for a member's points (staff at the 积分超市)."""
    member = _community_member(actor, member_id)
    item = db.session.get(ShopItem, item_id) if valid_id(item_id) else None
    if not in_staff_community(actor, item) or not item.active:
        raise NotFound("本社区积分超市没有该物品。")
    try:
        taken = db.session.execute(
            update(ShopItem)
            .where(ShopItem.id == item.id, ShopItem.stock > 0)
            .values(stock=ShopItem.stock - 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            raise Conflict(f"「{item.name}」已兑完。")
        entry = redeem(
            member, item.cost, source_id=item.id, reason=f"兑换「{item.name}」", actor=actor
        )
        audit.record("points.redeemed", actor=actor, obj=entry, after={"item_id": item.id})
        notify([member.user], "points", f"您用 {item.cost} 积分兑换了「{item.name}」。")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return entry


def save_shop_item(actor: User, data, item_id=None) -> ShopItem:
    """Add or change an item of the community's points shop."""
    require_role(actor, "community")
    reader = FieldReader(data)
    values = {
        "name": reader.read("name", POINTS["item_name"]),
        "description": reader.read("description", POINTS["item_description"]),
        "cost": reader.integer("cost", "所需积分", minimum=1, maximum=100_000, required=True),
        "stock": reader.integer("stock", "库存", minimum=0, maximum=100_000, required=True),
        "active": reader.flag("active", "上架", default=True),
    }
    reader.raise_if_invalid()
    item = db.session.get(ShopItem, item_id) if valid_id(item_id) else None
    if item_id is not None and not in_staff_community(actor, item):
        raise NotFound("本社区积分超市没有该物品。")
    if item is None:
        item = ShopItem(community_id=actor.community_id, **values)
        db.session.add(item)
        db.session.flush()
        audit.record("shop_item.created", actor=actor, obj=item, after=values)
    else:
        before = {key: getattr(item, key) for key in values}
        for key, value in values.items():
            setattr(item, key, value)
        audit.record("shop_item.updated", actor=actor, obj=item, before=before, after=values)
    db.session.commit()
    return item


def shop_items(community_id: int, *, active_only: bool = False) -> list[ShopItem]:
    """Return a community's shop items, cheapest first."""
    query = select(ShopItem).where(ShopItem.community_id == community_id)
    if active_only:
        query = query.where(ShopItem.active.is_(True))
    return list(db.session.scalars(query.order_by(ShopItem.cost, ShopItem.id)))


def entries(member: Member, limit: int | None = None) -> list[PointEntry]:
    """Return a member's entries, newest first."""
    query = (
        select(PointEntry)
        .where(PointEntry.member_id == member.id)
        .order_by(PointEntry.created_at.desc(), PointEntry.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def balance_mismatches() -> list[tuple[Member, int, int]]:
    """Return (member, cached balance, sum of entries) wherever the two differ."""
    sums = (
        select(PointEntry.member_id, func.sum(PointEntry.amount).label("total"))
        .group_by(PointEntry.member_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Member, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.member_id == Member.id)
        .where(Member.points_balance != func.coalesce(sums.c.total, 0))
        .order_by(Member.id)
    ).all()
    return [(member, member.points_balance, int(total)) for member, total in rows]
