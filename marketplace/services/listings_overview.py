"""Dashboard summaries for communities, units and the county."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import (
    Booking,
    Claim,
    Community,
    Evaluation,
    Need,
    Offer,
    Township,
    Unit,
)
from marketplace.models.listings import OPEN_NEED_STATUSES


def community_overview(community: Community) -> dict:
    """Return a community's recent needs, needs by status and claims by status."""
    needs = db.session.scalars(
        select(Need)
        .options(joinedload(Need.service_type))
        .where(Need.community_id == community.id)
        .order_by(Need.created_at.desc(), Need.id.desc())
        .limit(10)
    ).all()
    counts = dict(
        db.session.execute(
            select(Need.status, func.count())
            .where(Need.community_id == community.id)
            .group_by(Need.status)
        ).all()
    )
    claim_counts = dict(
        db.session.execute(
            select(Claim.status, func.count())
            .join(Need, Need.id == Claim.need_id)
            .where(Need.community_id == community.id)
            .group_by(Claim.status)
        ).all()
    )
    return {
        "community": community,
        "needs": needs,
        "counts": counts,
        "open_needs": sum(counts.get(status, 0) for status in OPEN_NEED_STATUSES),
        "claim_counts": claim_counts,
    }


def unit_overview(unit: Unit) -> dict:
    """Return a unit's offers, its claims by status and its rating."""
    offers = db.session.scalars(
        select(Offer)
        .options(joinedload(Offer.service_type))
        .where(Offer.unit_id == unit.id)
        .order_by(Offer.kind, Offer.id)
        .limit(10)
    ).all()
    offer_counts = dict(
        db.session.execute(
            select(Offer.kind, func.count())
            .where(Offer.unit_id == unit.id, Offer.status == "published")
            .group_by(Offer.kind)
        ).all()
    )
    claim_counts = dict(
        db.session.execute(
            select(Claim.status, func.count())
            .where(Claim.unit_id == unit.id)
            .group_by(Claim.status)
        ).all()
    )
    average, rated = db.session.execute(
        select(func.avg(Evaluation.stars), func.count(Evaluation.id))
        .join(Claim, Claim.id == Evaluation.claim_id)
        .where(Claim.unit_id == unit.id)
    ).one()
    return {
        "unit": unit,
        "offers": offers,
        "offer_counts": offer_counts,
        "claim_counts": claim_counts,
        "rating_average": float(average) if average is not None else None,
        "rating_count": rated,
        "booking_requests": db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .join(Offer, Offer.id == Booking.offer_id)
            .where(Offer.unit_id == unit.id, Booking.status == "requested")
        ),
    }


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
