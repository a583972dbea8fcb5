"""Pair scores from the database: every unit × community's coverage, proximity, continuity
and preference.

Read-only (no commit): it loads a county's communities, units, open needs, published
offers and the currently published plan in a fixed number of queries, and hands plain
values to the pure ``marketplace.pairing.scoring``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import (
    Community,
    County,
    Need,
    Offer,
    PairingPlan,
    PairingPreference,
    PlanPair,
    ServiceType,
    Township,
    Unit,
)
from marketplace.models.listings import OPEN_NEED_STATUSES
from marketplace.pairing import PairingProblem
from marketplace.pairing.scoring import (
    NeedWeight,
    PairScore,
    ScoreWeights,
    coverage_matrix,
    proximity_matrix,
)

__all__ = [
    "CountyScores",
    "PairScore",
    "ScoreWeights",
    "county_problem",
    "county_scores",
    "coverage_by_community",
    "needs_coverage",
    "preferred_pairs",
    "published_pairs",
]


@dataclass
class CountyScores:
    """A county's units (matrix rows) and communities (columns) with every pair's parts."""

    units: list[Unit]
    communities: list[Community]
    parts: dict[tuple[int, int], PairScore]
    weights: ScoreWeights = field(default_factory=ScoreWeights)

    def matrix(self) -> np.ndarray:
        """Return the total scores, shape (len(units), len(communities))."""
        totals = np.zeros((len(self.units), len(self.communities)))
        for row, unit in enumerate(self.units):
            for column, community in enumerate(self.communities):
                totals[row, column] = self.parts[unit.id, community.id].total
        return totals


def _county_communities(county_id: int) -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .join(Township, Community.township_id == Township.id)
            .where(Township.county_id == county_id)
            .order_by(Community.id)
        )
    )


def published_pairs(county_id: int) -> set[tuple[int, int]]:
    """Return the (unit id, community id) pairs of the county's published plan."""
    plan_id = db.session.scalar(
        select(PairingPlan.id)
        .where(PairingPlan.county_id == county_id, PairingPlan.status == "published")
        .order_by(PairingPlan.version.desc())
        .limit(1)
    )
    if plan_id is None:
        return set()
    rows = db.session.execute(
        select(PlanPair.unit_id, PlanPair.community_id).where(PlanPair.plan_id == plan_id)
    )
    return {(unit_id, community_id) for unit_id, community_id in rows}


def preferred_pairs(community_ids: list[int]) -> set[tuple[int, int]]:
    """Return the (unit id, community id) pairs these communities asked to keep or gain."""
    if not community_ids:
        return set()
    rows = db.session.execute(
        select(PairingPreference.unit_id, PairingPreference.community_id).where(
            PairingPreference.community_id.in_(community_ids)
        )
    )
    return {(unit_id, community_id) for unit_id, community_id in rows}


def _offered(unit_ids: list[int]) -> dict[int, tuple[set[int], set[int]]]:
    offered: dict[int, tuple[set[int], set[int]]] = {u: (set(), set()) for u in unit_ids}
    rows = db.session.execute(
        select(Offer.unit_id, Offer.type_id, ServiceType.category_id)
        .join(ServiceType, Offer.type_id == ServiceType.id)
        .where(Offer.status == "published", Offer.unit_id.in_(unit_ids))
    )
    for unit_id, type_id, category_id in rows:
        offered[unit_id][0].add(type_id)
        offered[unit_id][1].add(category_id)
    return offered


def _open_needs(community_ids: list[int]):
    return db.session.execute(
        select(Need, ServiceType.category_id)
        .join(ServiceType, Need.type_id == ServiceType.id)
        .where(Need.status.in_(OPEN_NEED_STATUSES), Need.community_id.in_(community_ids))
        .order_by(Need.urgency.desc(), Need.id)
    ).all()


def county_scores(county_id: int, weights: ScoreWeights | None = None) -> CountyScores:
    """Score every unit × community pair of a county, each as its weighted parts."""
    weights = weights or ScoreWeights()
    if db.session.get(County, county_id) is None:
        raise NotFound("没有这个县。")
    communities = _county_communities(county_id)
    units = list(
        db.session.scalars(select(Unit).where(Unit.county_id == county_id).order_by(Unit.id))
    )
    offered = _offered([unit.id for unit in units])
    needs: dict[int, list[NeedWeight]] = defaultdict(list)
    for need, category_id in _open_needs([c.id for c in communities]):
        weight = float(need.urgency * need.remaining)
        needs[need.community_id].append(NeedWeight(need.type_id, category_id, weight))
    coverage = coverage_matrix(
        [offered[unit.id] for unit in units], [needs[c.id] for c in communities]
    )
    proximity = proximity_matrix(
        np.array([(u.latitude, u.longitude) for u in units], dtype=float).reshape(-1, 2),
        np.array([(c.latitude, c.longitude) for c in communities], dtype=float).reshape(-1, 2),
    )
    current = published_pairs(county_id)
    preferred = preferred_pairs([c.id for c in communities])
    parts = {}
    for row, unit in enumerate(units):
        for column, community in enumerate(communities):
            parts[unit.id, community.id] = PairScore(
                coverage=weights.coverage * float(coverage[row, column]),
                proximity=weights.proximity * float(proximity[row, column]),
                continuity=weights.continuity * float((unit.id, community.id) in current),
                preference=weights.preference * float((unit.id, community.id) in preferred),
            )
    return CountyScores(units, communities, parts, weights)


def county_problem(
    scores: CountyScores,
    min_quota: int | dict[int, int],
    max_quota: int | dict[int, int],
    capacity: int | dict[int, int] = 1,
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
) -> PairingProblem:
    """Build the optimizer's problem from county scores; ids become ``str(row id)``.

    Quotas and capacities are one number for all, or a dict by community / unit id
    (missing ids take 0 for a minimum, the largest sensible value otherwise).
    """

    def per(value, key, default):
        return value.get(key, default) if isinstance(value, dict) else value

    return PairingProblem(
        unit_ids=tuple(str(unit.id) for unit in scores.units),
        community_ids=tuple(str(community.id) for community in scores.communities),
        scores=scores.matrix(),
        capacity=tuple(per(capacity, unit.id, 1) for unit in scores.units),
        min_quota=tuple(per(min_quota, c.id, 0) for c in scores.communities),
        max_quota=tuple(per(max_quota, c.id, len(scores.units)) for c in scores.communities),
        pinned=tuple((str(u), str(c)) for u, c in pinned),
        forbidden=tuple((str(u), str(c)) for u, c in forbidden),
    )


def needs_coverage(community_id: int, unit_ids: list[int]) -> tuple[list[Need], list[Need]]:
    """Split a community's open needs into those the units' published offers serve and not.

    A need counts as covered when one of the units publishes an offer of the same type
    (a same-category offer only raises the score; it does not cover the need).
    """
    return coverage_by_community({community_id: unit_ids})[community_id]


def coverage_by_community(
    members: dict[int, list[int]],
) -> dict[int, tuple[list[Need], list[Need]]]:
    """Return ``needs_coverage`` for many communities at once, in two queries."""
    all_units = {unit_id for unit_ids in members.values() for unit_id in unit_ids}
    offered: dict[int, set[int]] = {}
    if all_units:
        rows = db.session.execute(
            select(Offer.unit_id, Offer.type_id).where(
                Offer.status == "published", Offer.unit_id.in_(sorted(all_units))
            )
        )
        for unit_id, type_id in rows:
            offered.setdefault(unit_id, set()).add(type_id)
    result = {community_id: ([], []) for community_id in members}
    for need, _category_id in _open_needs(list(members)):
        types = set().union(*(offered.get(u, set()) for u in members[need.community_id]))
        covered, uncovered = result[need.community_id]
        (covered if need.type_id in types else uncovered).append(need)
    return result
