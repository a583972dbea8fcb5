"""County-wide figures over published data (home page and /api/v1/stats)."""

from sqlalchemy import case, func, select

from marketplace.extensions import db
from marketplace.models import Category, Community, Need, Offer, ServiceType, Unit
from marketplace.services.exchange.need_state import claimable_clause
from marketplace.services.members import member_stats


def county_figures() -> dict[str, int]:
    """Return the headline counts, in a handful of queries."""
    published = Offer.status == "published"
    offer_row = db.session.execute(
        select(
            func.count().filter(Offer.kind == "service"),
            func.count().filter(Offer.facility_kind == "meeting_room"),
            func.coalesce(
                func.sum(case((Offer.facility_kind == "parking", Offer.capacity), else_=0)), 0
            ),
            func.count().filter(Offer.facility_kind == "sports_ground"),
            func.count().filter(Offer.kind == "facility"),
        ).where(published)
    ).one()
    need_row = db.session.execute(
        select(
            func.count().filter(claimable_clause()),
            func.count().filter(Need.status.in_(("fully_claimed", "in_progress"))),
            func.count().filter(Need.status.in_(("completed", "evaluated"))),
        )
    ).one()
    return {
        "communities": db.session.scalar(select(func.count()).select_from(Community)),
        "units": db.session.scalar(select(func.count()).select_from(Unit)),
        "categories": db.session.scalar(select(func.count()).select_from(Category)),
        "types": db.session.scalar(select(func.count()).select_from(ServiceType)),
        "service_items": offer_row[0],
        "meeting_rooms": offer_row[1],
        "parking_spaces": int(offer_row[2]),
        "sports_grounds": offer_row[3],
        "facilities": offer_row[4],
        "open_needs": need_row[0],
        "needs_in_progress": need_row[1],
        "needs_completed": need_row[2],
        **member_stats.county_counts(),
    }


def open_needs_by_category() -> list[tuple[str, int]]:
    """Return (category name, open need count) for every category, in taxonomy order."""
    rows = db.session.execute(
        select(Category.name, func.count(Need.id))
        .select_from(Category)
        .join(ServiceType, ServiceType.category_id == Category.id)
        .outerjoin(Need, (Need.type_id == ServiceType.id) & claimable_clause())
        .group_by(Category.id, Category.name, Category.position)
        .order_by(Category.position)
    ).all()
    return [(name, count) for name, count in rows]
