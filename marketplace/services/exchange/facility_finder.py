"""The public facility finder: which facilities are free on a day, at a time, near me.

Availability first: given a date and a time range it keeps the published public
facilities that open that weekday for the whole range and whose accepted bookings leave
a lane free in every half-hour slot of it (a room or ground has one lane, parking and
equipment one per space or set; ``bookings.lanes_of``), nearest to a chosen community
first. A filter, not a full-text search, so it reads the database directly (always
current). Pages and the API read their arguments through ``read_filters`` and so refuse
the same values with the same words.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import BookingSlot, Community, Offer, Township, Unit
from marketplace.models.bookings import SLOT_MINUTES
from marketplace.models.listings import FACILITY_KINDS
from marketplace.services.access import valid_id
from marketplace.services.exchange.bookings import HORIZON_DAYS, SHARED_KINDS
from marketplace.services.fields import FieldReader
from marketplace.services.pagination import Page, paginate

EARTH_RADIUS_KM = 6371.0


@dataclass
class FacilityFilters:
    facility_kind: str | None = None
    min_capacity: int | None = None
    township_id: int | None = None
    free_only: bool = False
    day: date | None = None  # with start and end: free for that whole period
    start: time | None = None
    end: time | None = None
    near_community_id: int | None = None
    weekday: int | None = None  # 0 = Monday; open that weekday (no date given)
    at: time | None = None


@dataclass
class FinderResult:
    page: Page
    filters: FacilityFilters
    near: Community | None = None
    distances: dict[int, float] = field(default_factory=dict)  # offer id → km

    @property
    def period(self) -> str:
        return free_at_label(self.filters)


def township_choices() -> list[tuple[int, str]]:
    """Return ``(id, name)`` of every township, for the finder's select box."""
    rows = db.session.execute(select(Township.id, Township.name).order_by(Township.name))
    return [(row.id, row.name) for row in rows]


def community_choices() -> list[tuple[int, str]]:
    """Return ``(id, name)`` of every community, for "nearest to" select boxes."""
    rows = db.session.execute(select(Community.id, Community.name).order_by(Community.name))
    return [(row.id, row.name) for row in rows]


def _on_slot(moment: time | None) -> bool:
    return moment is None or (moment.minute % SLOT_MINUTES == 0 and moment.second == 0)


def read_filters(args: Mapping) -> FacilityFilters:
    """Parse the finder's arguments (page or API); raise InvalidInput in Chinese."""
    reader = FieldReader(args)
    filters = FacilityFilters(
        facility_kind=reader.choice("kind", "场地类型", FACILITY_KINDS, default="") or None,
        min_capacity=reader.integer("min_capacity", "最少容纳", minimum=1, maximum=100_000),
        township_id=reader.integer("township_id", "乡镇/街道", minimum=0) or None,
        free_only=reader.flag("free_only", "只看免费", default=False),
        day=reader.day("date", "日期"),
        start=reader.clock("start", "开始时刻"),
        end=reader.clock("end", "结束时刻"),
        near_community_id=reader.integer("near", "附近社区", minimum=0) or None,
    )
    today = clock.today()
    if filters.day and not today <= filters.day <= today + timedelta(days=HORIZON_DAYS):
        reader.fail("date", f"日期应在今天到 {HORIZON_DAYS} 天以内。")
    if (filters.start is None) != (filters.end is None):
        reader.fail("end" if filters.start else "start", "请同时选择开始和结束时刻。")
    elif filters.start and filters.end <= filters.start:
        reader.fail("end", "结束时刻必须晚于开始时刻。")
    if not (_on_slot(filters.start) and _on_slot(filters.end)):
        reader.fail("start", f"时刻以 {SLOT_MINUTES} 分钟为单位，请选择整点或半点。")
    if filters.start and filters.day is None:
        filters.day = today  # a time range alone means today
    for key, value in (("township_id", filters.township_id), ("near", filters.near_community_id)):
        if value and not valid_id(value):
            reader.fail(key, "编号无效。")
    reader.raise_if_invalid()
    return filters


def _lanes():
    """Return the SQL of a facility's lanes: its spaces for shared kinds, else 1."""
    return case((Offer.facility_kind.in_(SHARED_KINDS), func.coalesce(Offer.capacity, 1)), else_=1)


def _free_during(query, day: date, start: time, end: time):
    """Keep facilities open on ``day`` for [start, end) with a free lane in every slot."""
    query = query.where(Offer.open_weekdays.op("&")(1 << day.weekday()) != 0)
    query = query.where(
        or_(
            Offer.open_from.is_(None),
            Offer.open_until.is_(None),
            and_(Offer.open_from <= start, Offer.open_until >= end),
        )
    )
    begins = clock.at(day, start).astimezone(UTC)
    ends = clock.at(day, end).astimezone(UTC)
    per_slot = (
        select(BookingSlot.offer_id, func.count().label("taken"))
        .where(BookingSlot.slot_start >= begins, BookingSlot.slot_start < ends)
        .group_by(BookingSlot.offer_id, BookingSlot.slot_start)
        .subquery()
    )
    busiest = (
        select(per_slot.c.offer_id, func.max(per_slot.c.taken).label("peak"))
        .group_by(per_slot.c.offer_id)
        .subquery()
    )
    return query.outerjoin(busiest, busiest.c.offer_id == Offer.id).where(
        func.coalesce(busiest.c.peak, 0) < _lanes()
    )


def _open_at(query, weekday: int | None, moment: time | None):
    if weekday is not None:
        query = query.where(Offer.open_weekdays.op("&")(1 << weekday) != 0)
    if moment is not None:
        query = query.where(
            or_(
                Offer.open_from.is_(None),
                Offer.open_until.is_(None),
                (Offer.open_from <= moment) & (Offer.open_until > moment),
            )
        )
    return query


def _distance_order(near: Community):
    """Return an SQL sort key growing with the distance from ``near`` (equirectangular)."""
    shrink = math.cos(math.radians(near.latitude))
    d_lat = Unit.latitude - literal(near.latitude)
    d_lng = (Unit.longitude - literal(near.longitude)) * literal(shrink)
    unknown = or_(Unit.latitude.is_(None), Unit.longitude.is_(None))
    return case((unknown, 1), else_=0), d_lat * d_lat + d_lng * d_lng


def distance_km(lat_a: float, lng_a: float, lat_b: float, lng_b: float) -> float:
    """Return the great-circle distance in km between two points."""
    phi_a, phi_b = math.radians(lat_a), math.radians(lat_b)
    haversine = (
        math.sin((phi_b - phi_a) / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(math.radians(lng_b - lng_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, haversine)))


def find_facilities(filters: FacilityFilters, page: int = 1, per_page: int = 20) -> FinderResult:
    """Return one page of public facilities free as ``filters`` ask, nearest first."""
    query = (
        select(Offer)
        .join(Offer.unit)
        .options(joinedload(Offer.unit).joinedload(Unit.township))
        .where(Offer.kind == "facility", Offer.status == "published", Offer.is_public.is_(True))
    )
    if filters.facility_kind:
        query = query.where(Offer.facility_kind == filters.facility_kind)
    if filters.min_capacity:
        query = query.where(Offer.capacity >= filters.min_capacity)
    if filters.township_id:
        query = query.where(Unit.township_id == filters.township_id)
    if filters.free_only:
        query = query.where(Offer.is_free.is_(True))
    if filters.day and filters.start and filters.end:
        query = _free_during(query, filters.day, filters.start, filters.end)
    elif filters.day:
        query = _open_at(query, filters.day.weekday(), None)
    query = _open_at(query, filters.weekday, filters.at)
    near = (
        db.session.get(Community, filters.near_community_id) if filters.near_community_id else None
    )
    located = near is not None and near.latitude is not None and near.longitude is not None
    order = [*_distance_order(near)] if located else []
    query = query.order_by(*order, Offer.capacity.desc(), Offer.id)
    result = FinderResult(paginate(query, page, per_page), filters, near)
    if located:
        for offer in result.page.items:
            if offer.unit.latitude is not None and offer.unit.longitude is not None:
                result.distances[offer.id] = round(
                    distance_km(
                        near.latitude, near.longitude, offer.unit.latitude, offer.unit.longitude
                    ),
                    1,
                )
    return result


def free_at_label(filters: FacilityFilters) -> str:
    """Describe the period asked for, e.g. 2026-12-05（周六）19:00-21:00."""
    if not (filters.day and filters.start and filters.end):
        return ""
    weekday = "一二三四五六日"[filters.day.weekday()]
    start = datetime.combine(filters.day, filters.start)
    return f"{filters.day.isoformat()}（周{weekday}）{start:%H:%M}-{filters.end:%H:%M}"
