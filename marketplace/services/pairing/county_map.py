"""What the county map (亲民地图) shows: communities, units, public facilities, pairs."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Community, Offer, PairingPlan, PlanPair, Unit


@dataclass
class CountyMap:
    communities: list[Community]
    units: list[Unit]
    facilities_by_unit: dict[int, int]  # unit id -> published public facilities
    pairs: list[tuple[int, int]]  # (unit id, community id) in the published plan
    plan: PairingPlan | None
    units_of: dict[int, list[Unit]] = field(default_factory=dict)  # community id -> units


def county_map() -> CountyMap:
    """Return the places of the county and the published plan's pairs (public data only)."""
    communities = list(db.session.scalars(select(Community).order_by(Community.id)))
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    facilities = dict(
        db.session.execute(
            select(Offer.unit_id, func.count())
            .where(Offer.kind == "facility", Offer.status == "published", Offer.is_public.is_(True))
            .group_by(Offer.unit_id)
        ).all()
    )
    plan = db.session.scalar(
        select(PairingPlan)
        .where(PairingPlan.status == "published")
        .order_by(PairingPlan.published_at.desc())
        .limit(1)
    )
    pairs = []
    if plan is not None:
        rows = db.session.execute(
            select(PlanPair.unit_id, PlanPair.community_id)
            .where(PlanPair.plan_id == plan.id)
            .order_by(PlanPair.community_id, PlanPair.unit_id)
        )
        pairs = [(unit_id, community_id) for unit_id, community_id in rows]
    by_id = {unit.id: unit for unit in units}
    units_of: dict[int, list[Unit]] = {community.id: [] for community in communities}
    for unit_id, community_id in pairs:
        units_of.setdefault(community_id, []).append(by_id[unit_id])
    return CountyMap(communities, units, facilities, pairs, plan, units_of)
