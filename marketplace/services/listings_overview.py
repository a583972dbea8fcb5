"""Dashboard summaries for communities, units and the county."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import Community, Need, Offer, Township, Unit
from marketplace.models.listings import OPEN_NEED_STATUSES


def community_overview(community: Community) -> dict:
    """Return a community's needs and counts by status."""
    needs = db.session.scalars(
        select(Need)
        .options(joinedload(Need.service_type))
        .where(Need.community_id == community.id)
        .order_by(Need.created_at.desc())
        .limit(50)
    ).all()
    counts = dict(
        db.session.execute(
            select(Need.status, func.count())
            .where(Need.community_id == community.id)
            .group_by(Need.status)
        ).all()
    )
    return {"community": community, "needs": needs, "counts": counts}


def unit_overview(unit: Unit) -> dict:
    """Return a unit's offers."""
    offers = db.session.scalars(
        select(Offer)
        .options(joinedload(Offer.service_type))
        .where(Offer.unit_id == unit.id)
        .order_by(Offer.kind, Offer.id)
    ).all()
    return {"unit": unit, "offers": offers}


def county_coverage() -> list[dict]:
    """Return per community its open needs and total needs."""
    rows = db.session.execute(
        select(
            Community,
            func.count(Need.id).filter(Need.status.in_(OPEN_NEED_STATUSES)),
            func.count(Need.id),
        )
        .join(Township)
        .outerjoin(Need, Need.community_id == Community.id)
        .options(joinedload(Community.township))
        .group_by(Community.id, Township.id)
        .order_by(Township.name, Community.name)
    ).all()
    return [{"community": c, "open_needs": o, "needs": n} for c, o, n in rows]
