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
from marketplace.models.claims import ONGOING_CLAIM_STATUSES
from marketplace.services.exchange.need_state import claimable_clause


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
    open_needs = db.session.scalar(
        select(func.count(Need.id)).where(Need.community_id == community.id, claimable_clause())
    )
    return {
        "community": community,
        "needs": needs,
        "counts": counts,
        "open_needs": open_needs,
        "claim_counts": claim_counts,
        "ongoing_projects": sum(claim_counts.get(s, 0) for s in ONGOING_CLAIM_STATUSES),
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
        "ongoing_projects": sum(claim_counts.get(s, 0) for s in ONGOING_CLAIM_STATUSES),
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
            func.count(Need.id).filter(claimable_clause()),
            func.count(Need.id),
        )
        .join(Township)
        .outerjoin(Need, Need.community_id == Community.id)
        .options(joinedload(Community.township))
        .group_by(Community.id, Township.id)
        .order_by(Township.name, Community.name)
    ).all()
    return [{"community": c, "open_needs": o, "needs": n} for c, o, n in rows]
