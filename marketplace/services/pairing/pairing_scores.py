"""Pair scores from the database: every unit × community's coverage, proximity, continuity
and preference.

Read-only (no commit): it loads a county's communities, units, open needs, published
offers and the currently published plan in a fixed number of queries, and hands plain
values to the pure ``marketplace.pairing.scoring``.

The candidate pairs are every unit × community of the county, or, when the setting
``PAIRING_NEAREST_COMMUNITIES`` is k > 0 (a city or a province), each unit's k nearest
communities plus the published plan's pairs and the pairs a caller must keep (pinned
ones). Only candidates are scored and handed to the optimizer, as a list of pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from flask import current_app, has_app_context
from sqlalchemy import select

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import (
    Community,
    County,
    Need,
    Offer,
    PairingPreference,
    ServiceType,
    Township,
    Unit,
)
from marketplace.models.listings import OPEN_NEED_STATUSES
from marketplace.pairing import PairingProblem, ScoredPairs
from marketplace.pairing.scoring import (
    NeedWeight,
    PairScore,
    ScoreWeights,
    coverage_of_pairs,
    nearest_communities,
    proximity_of_pairs,
)
from marketplace.services.pairing.plan_history import published_keys

__all__ = [
    "CountyScores",
    "PairScore",
    "ScoreWeights",
    "county_problem",
    "county_scores",
    "coverage_by_community",
    "needs_coverage",
    "preferred_pairs",
]


@dataclass
class CountyScores:
    """A county's units and communities with each candidate pair's parts.

    ``parts`` holds the candidate pairs only (all of them when ``nearest`` is 0).
    """

    units: list[Unit]
    communities: list[Community]
    parts: dict[tuple[int, int], PairScore]
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    nearest: int = 0  # candidates are each unit's nearest communities (0: all)

    def pairs(self) -> ScoredPairs:
        """Return the candidate pairs by position, with their total scores."""
        row = {unit.id: position for position, unit in enumerate(self.units)}
        column = {community.id: position for position, community in enumerate(self.communities)}
        keys = list(self.parts)
        return ScoredPairs(
            np.array([row[u] for u, _ in keys], dtype=np.int64),
            np.array([column[c] for _, c in keys], dtype=np.int64),
            np.array([self.parts[key].total for key in keys], dtype=float),
        )

    def matrix(self) -> np.ndarray:
        """Return the total scores, shape (len(units), len(communities)), NaN off candidates."""
        totals = np.full((len(self.units), len(self.communities)), np.nan)
        pairs = self.pairs()
        totals[pairs.unit, pairs.community] = pairs.score
        return totals


def nearest_setting() -> int:
    """Return how many nearest communities each unit is scored with (0: every one)."""
    if not has_app_context():
        return 0
    return int(current_app.config["PAIRING_NEAREST_COMMUNITIES"] or 0)


def _county_communities(county_id: int) -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .join(Township, Community.township_id == Township.id)
            .where(Township.county_id == county_id)
            .order_by(Community.id)
        )
    )


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


def county_scores(
    county_id: int,
    weights: ScoreWeights | None = None,
    *,
    nearest: int | None = None,
    keep: Iterable[tuple[int, int]] = (),
) -> CountyScores:
    """Score a county's candidate pairs, each as its weighted parts.

    ``nearest`` (default: the ``PAIRING_NEAREST_COMMUNITIES`` setting) limits each unit
    to its nearest communities; the published plan's pairs and ``keep`` stay candidates.
    """
    weights = weights or ScoreWeights()
    nearest = nearest_setting() if nearest is None else nearest
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
    unit_points = np.array([(u.latitude, u.longitude) for u in units], dtype=float).reshape(-1, 2)
    community_points = np.array(
        [(c.latitude, c.longitude) for c in communities], dtype=float
    ).reshape(-1, 2)
    current = published_keys(county_id)
    preferred = preferred_pairs([c.id for c in communities])
    rows, columns = _candidates(
        units, communities, unit_points, community_points, nearest, current | preferred | set(keep)
    )
    coverage = coverage_of_pairs(
        [offered[unit.id] for unit in units], [needs[c.id] for c in communities], rows, columns
    )
    proximity = proximity_of_pairs(unit_points, community_points, rows, columns)
    parts = {}
    for position, (row, column) in enumerate(zip(rows.tolist(), columns.tolist(), strict=True)):
        key = (units[row].id, communities[column].id)
        parts[key] = PairScore(
            coverage=weights.coverage * float(coverage[position]),
            proximity=weights.proximity * float(proximity[position]),
            continuity=weights.continuity * float(key in current),
            preference=weights.preference * float(key in preferred),
        )
    restricted = nearest if 0 < nearest < len(communities) else 0
    return CountyScores(units, communities, parts, weights, restricted)


def _candidates(units, communities, unit_points, community_points, nearest, keep):
    """Return (unit positions, community positions) of the pairs to score, sorted."""
    if not 0 < nearest < len(communities):
        rows, columns = np.indices((len(units), len(communities))).reshape(2, -1)
        return rows, columns
    rows, columns = nearest_communities(unit_points, community_points, nearest)
    row = {unit.id: position for position, unit in enumerate(units)}
    column = {community.id: position for position, community in enumerate(communities)}
    extra = [(row[u], column[c]) for u, c in keep if u in row and c in column]
    if extra:
        rows = np.concatenate([rows, np.array([u for u, _ in extra], dtype=np.int64)])
        columns = np.concatenate([columns, np.array([c for _, c in extra], dtype=np.int64)])
    key = np.unique(rows * len(communities) + columns)
    return key // len(communities), key % len(communities)


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
        pairs=scores.pairs(),
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
