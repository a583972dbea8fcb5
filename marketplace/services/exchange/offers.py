"""A unit's offers (资源清单): facilities and services; create, edit, publish, withdraw, browse."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.models import Offer, ServiceType, Unit, User
from marketplace.models.listings import (
    ALL_WEEKDAYS,
    FACILITY_KINDS,
    OFFER_KINDS,
    OFFER_STATUSES,
    WORKDAYS,
)
from marketplace.services import audit
from marketplace.services.access import check_ids, owns, require_owner, require_role, valid_id
from marketplace.services.fields import (
    OFFER,
    FieldReader,
    keyword_pattern,
    read_choice,
    read_service_type,
)
from marketplace.services.pagination import Page, paginate

AUDIT_FIELDS = ("status", "title", "kind", "capacity", "monthly_quantity")


def offer_options():
    """Return the loader options that keep offer lists free of N+1 queries."""
    return (
        joinedload(Offer.unit).joinedload(Unit.township),
        joinedload(Offer.service_type).joinedload(ServiceType.category),
    )


def _weekday_mask(reader: FieldReader, key: str = "open_weekdays") -> int | None:
    value = reader.data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple | set):
        mask = 0
        for day in value:
            try:
                number = int(day)
            except (TypeError, ValueError):
                number = -1
            if isinstance(day, bool) or not 0 <= number <= 6:
                reader.fail(key, "开放日应为 0（周一）到 6（周日）之间的整数。")
                return None
            mask |= 1 << number
        return mask
    return reader.integer(key, "开放日", minimum=0, maximum=ALL_WEEKDAYS)


def _offer_values(reader: FieldReader, kind: str, current: Offer | None) -> dict:
    """Validate the offer fields for ``kind``; keys not given keep ``current`` values."""

    def given(key):
        return current is None or reader.has(key)

    values = {}
    if given("title"):
        values["title"] = reader.read("title", OFFER["title"])
    if given("description"):
        values["description"] = reader.read("description", OFFER["description"])
    if given("address"):
        values["address"] = reader.read("address", OFFER["address"])
    if given("open_weekdays"):
        mask = _weekday_mask(reader)
        values["open_weekdays"] = WORKDAYS if mask is None and current is None else mask
        if values["open_weekdays"] is None:
            values.pop("open_weekdays")
    if kind == "facility":
        if given("facility_kind"):
            facility_kind = reader.choice("facility_kind", "场地类型", FACILITY_KINDS)
            values["facility_kind"] = facility_kind
            # Facilities are typed by the 场地设施 category, whose codes are the kinds.
            if facility_kind:
                service_type = db.session.scalar(
                    select(ServiceType).where(ServiceType.code == facility_kind)
                )
                if service_type is None:
                    reader.fail("facility_kind", "分类表中缺少该场地类型，请联系管理员。")
                else:
                    values["type_id"] = service_type.id
        if given("capacity"):
            values["capacity"] = reader.read("capacity", OFFER["capacity"])
        for key, label in (("open_from", "开放时间"), ("open_until", "关闭时间")):
            if given(key):
                values[key] = reader.clock(key, label)
        open_from = values.get("open_from", current.open_from if current else None)
        open_until = values.get("open_until", current.open_until if current else None)
        if open_from and open_until and open_until <= open_from:
            reader.fail("open_until", "关闭时间必须晚于开放时间。")
        for key, label in (("is_free", "是否免费"), ("is_public", "是否向公众开放")):
            if given(key):
                values[key] = reader.flag(key, label, default=True)
    else:
        if given("type_id"):
            values["type_id"] = read_service_type(reader, "服务类型")
        if given("monthly_quantity"):
            values["monthly_quantity"] = reader.read("monthly_quantity", OFFER["monthly_quantity"])
    return values


def create_offer(actor: User, data, *, publish: bool = True) -> Offer:
    """Create a facility or service offer for the actor's unit."""
    require_role(actor, "unit")
    reader = FieldReader(data)
    kind = reader.choice("kind", "资源类别", OFFER_KINDS)
    values = _offer_values(reader, kind, None) if kind else {}
    reader.raise_if_invalid()
    offer = Offer(
        unit_id=actor.unit_id,
        kind=kind,
        created_by_id=actor.id,
        status="published" if publish else "draft",
        **values,
    )
    db.session.add(offer)
    db.session.flush()
    audit.record("offer.create", actor=actor, obj=offer, after=audit.snapshot(offer, *AUDIT_FIELDS))
    db.session.commit()
    return offer


def _own_offer(actor: User, offer_id: int) -> Offer:
    require_role(actor, "unit")
    offer = (
        db.session.get(Offer, offer_id, with_for_update=True, populate_existing=True)
        if valid_id(offer_id)
        else None
    )
    if offer is None:
        raise NotFound("资源不存在。")
    return require_owner(actor, offer)


def _transition(actor: User, offer: Offer, action: str, status: str) -> Offer:
    before = audit.snapshot(offer, *AUDIT_FIELDS)
    offer.status = status
    audit.record(
        action, actor=actor, obj=offer, before=before, after=audit.snapshot(offer, *AUDIT_FIELDS)
    )
    db.session.commit()
    return offer


def update_offer(actor: User, offer_id: int, data) -> Offer:
    """Change an offer of the actor's unit (its kind stays as created)."""
    offer = _own_offer(actor, offer_id)
    if offer.status == "withdrawn":
        raise Conflict("资源已撤回，不能修改；请重新发布后再修改。")
    reader = FieldReader(data)
    values = _offer_values(reader, offer.kind, offer)
    reader.raise_if_invalid()
    before = audit.snapshot(offer, *AUDIT_FIELDS)
    for key, value in values.items():
        setattr(offer, key, value)
    audit.record(
        "offer.update",
        actor=actor,
        obj=offer,
        before=before,
        after=audit.snapshot(offer, *AUDIT_FIELDS),
    )
    db.session.commit()
    return offer


def publish_offer(actor: User, offer_id: int) -> Offer:
    """Publish a draft or withdrawn offer of the actor's unit."""
    offer = _own_offer(actor, offer_id)
    if offer.status == "published":
        raise Conflict("该资源已经发布。")
    return _transition(actor, offer, "offer.publish", "published")


def withdraw_offer(actor: User, offer_id: int) -> Offer:
    """Take a published or draft offer of the actor's unit off the list."""
    offer = _own_offer(actor, offer_id)
    if offer.status == "withdrawn":
        raise Conflict("该资源已经撤回。")
    return _transition(actor, offer, "offer.withdraw", "withdrawn")


def get_offer(viewer: User | None, offer_id: int) -> Offer:
    """Return an offer: published ones for everyone, others for their unit only."""
    if not valid_id(offer_id):
        raise NotFound("资源不存在。")
    offer = db.session.scalar(select(Offer).options(*offer_options()).where(Offer.id == offer_id))
    if offer is None:
        raise NotFound("资源不存在。")
    if offer.status != "published" and not owns(viewer, offer):
        raise NotFound("资源不存在。")
    return offer


@dataclass
class OfferFilters:
    kind: str | None = None
    facility_kind: str | None = None
    category_id: int | None = None
    type_id: int | None = None
    township_id: int | None = None
    unit_id: int | None = None
    free_only: bool = False
    min_capacity: int | None = None
    q: str | None = None


def _filtered(query, filters: OfferFilters):
    check_ids(filters, "category_id", "type_id", "township_id", "unit_id", "min_capacity")
    if filters.kind:
        kind = read_choice(filters.kind, "资源类别", OFFER_KINDS, "kind")
        query = query.where(Offer.kind == kind)
    if filters.facility_kind:
        facility = read_choice(filters.facility_kind, "场地类型", FACILITY_KINDS, "facility_kind")
        query = query.where(Offer.facility_kind == facility)
    if filters.type_id:
        query = query.where(Offer.type_id == filters.type_id)
    if filters.category_id:
        types = select(ServiceType.id).where(ServiceType.category_id == filters.category_id)
        query = query.where(Offer.type_id.in_(types))
    if filters.unit_id:
        query = query.where(Offer.unit_id == filters.unit_id)
    if filters.township_id:
        units = select(Unit.id).where(Unit.township_id == filters.township_id)
        query = query.where(Offer.unit_id.in_(units))
    if filters.free_only:
        query = query.where(Offer.kind == "facility", Offer.is_free.is_(True))
    if filters.min_capacity:
        query = query.where(Offer.kind == "facility", Offer.capacity >= filters.min_capacity)
    if filters.q and filters.q.strip():
        pattern = keyword_pattern(filters.q)
        query = query.where(Offer.title.ilike(pattern) | Offer.description.ilike(pattern))
    return query


def offers_page(
    viewer: User | None, filters: OfferFilters | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Return published offers matching ``filters``, facilities first."""
    query = _filtered(
        select(Offer).options(*offer_options()).where(Offer.status == "published"),
        filters or OfferFilters(),
    )
    return paginate(query.order_by(Offer.kind, Offer.id.desc()), page, per_page)


def unit_offers_page(
    actor: User, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Return the actor's unit's offers in every state."""
    require_role(actor, "unit")
    query = select(Offer).options(*offer_options()).where(Offer.unit_id == actor.unit_id)
    if status in OFFER_STATUSES:
        query = query.where(Offer.status == status)
    return paginate(query.order_by(Offer.kind, Offer.id.desc()), page, per_page)
