"""The public facility finder: published, public facilities filtered like a catalogue.

A filter, not a full-text search, so it reads the database directly (always current).
"""

from dataclasses import dataclass
from datetime import time

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import Offer, Township, Unit
from marketplace.services.pagination import Page, paginate


@dataclass
class FacilityFilters:
    facility_kind: str | None = None
    min_capacity: int | None = None
    township_id: int | None = None
    free_only: bool = False
    weekday: int | None = None  # 0 = Monday
    at: time | None = None


def township_choices() -> list[tuple[int, str]]:
    """Return ``(id, name)`` of every township, for the finder's select box."""
    rows = db.session.execute(select(Township.id, Township.name).order_by(Township.name))
    return [(row.id, row.name) for row in rows]


def find_facilities(filters: FacilityFilters, page: int = 1, per_page: int = 20) -> Page:
    """Return one page of public facilities matching ``filters``, largest first."""
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
    if filters.weekday is not None:
        query = query.where(Offer.open_weekdays.op("&")(1 << filters.weekday) != 0)
    if filters.at is not None:
        query = query.where(
            or_(
                Offer.open_from.is_(None),
                Offer.open_until.is_(None),
                (Offer.open_from <= filters.at) & (Offer.open_until > filters.at),
            )
        )
    query = query.order_by(Offer.capacity.desc(), Offer.id)
    return paginate(query, page, per_page)
