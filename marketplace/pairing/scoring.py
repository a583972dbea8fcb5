"""The default pair score, as explainable parts: coverage, proximity and continuity.

Pure arithmetic on plain values (numpy only); ``marketplace.services.pairing.pairing_scores``
reads the database and calls it.

* coverage: the share of a community's open needs that the unit's published offers
  can serve, each need weighted by urgency × remaining quantity; an offer of the same
  type serves a need fully, one of the same category half (``CATEGORY_MATCH``);
* proximity: ``1 / (1 + d / HALF_DISTANCE_KM)`` for the great-circle distance d, so 1
  at the same place and 0.5 at ``HALF_DISTANCE_KM``;
* continuity: 1 when the pair is in the currently published plan;
* preference: 1 when the community asked to keep or to gain this unit (its staff state
  this before a run, within limits: ``services/pairing/pairing_preferences.py``).

Each part lies in 0..1 and is multiplied by its reviewer-set weight.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CATEGORY_MATCH",
    "HALF_DISTANCE_KM",
    "SCORE_PARTS",
    "NeedWeight",
    "PairScore",
    "ScoreWeights",
    "coverage_matrix",
    "coverage_of_pairs",
    "distance_km",
    "nearest_communities",
    "proximity_matrix",
    "proximity_of_pairs",
]

# The parts of a pair's score, in order: each a weight in ScoreWeights and a field of
# PairScore (a new part is added to all three).
SCORE_PARTS = ("coverage", "proximity", "continuity", "preference")

CATEGORY_MATCH = 0.5
HALF_DISTANCE_KM = 2.0
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class ScoreWeights:
    """How much each part counts; reviewer-settable, each a finite number >= 0."""

    coverage: float = 0.6
    proximity: float = 0.25
    continuity: float = 0.15
    preference: float = 0.2

    def __post_init__(self):
        for name in SCORE_PARTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"权重 {name} 必须是数字")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"权重 {name} 必须是不小于 0 的有限数字")

    def as_dict(self) -> dict[str, float]:
        """Return the weights as a plain dict (for storing with a plan)."""
        return {name: getattr(self, name) for name in SCORE_PARTS}


@dataclass(frozen=True)
class PairScore:
    """One pair's score as its weighted parts; ``total`` is their sum."""

    coverage: float
    proximity: float
    continuity: float
    preference: float = 0.0

    @property
    def total(self) -> float:
        return sum(getattr(self, name) for name in SCORE_PARTS)

    def as_dict(self) -> dict[str, float]:
        """Return the weighted parts by name (the API shows them as they are)."""
        return {name: getattr(self, name) for name in SCORE_PARTS}


@dataclass(frozen=True)
class NeedWeight:
    """An open need as the score sees it."""

    type_id: int
    category_id: int
    weight: float  # urgency × remaining quantity


def coverage_matrix(
    offered: Sequence[tuple[set[int], set[int]]],
    needs: Sequence[Iterable[NeedWeight]],
) -> np.ndarray:
    """Return the units × communities share of weighted open needs each unit can serve.

    Parameters
    ----------
    offered : sequence of (type ids, category ids)
        Per unit, the types and categories of its published offers.
    needs : sequence of iterables of NeedWeight
        Per community, its open needs.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(offered), len(needs))``, values in 0..1; 0 for a community with no
        open needs.
    """
    units, communities = np.indices((len(offered), len(needs))).reshape(2, -1)
    shares = coverage_of_pairs(offered, needs, units, communities)
    return shares.reshape(len(offered), len(needs))


def coverage_of_pairs(
    offered: Sequence[tuple[set[int], set[int]]],
    needs: Sequence[Iterable[NeedWeight]],
    units: np.ndarray,
    communities: np.ndarray,
) -> np.ndarray:
    """Return ``coverage_matrix``'s value for the listed (unit, community) pairs only."""
    needs = [list(community_needs) for community_needs in needs]
    totals = [sum(need.weight for need in community_needs) for community_needs in needs]
    result = np.zeros(len(units))
    for position, (row, column) in enumerate(
        zip(units.tolist(), communities.tolist(), strict=True)
    ):
        total = totals[column]
        if total <= 0:
            continue
        types, categories = offered[row]
        served = 0.0
        for need in needs[column]:
            if need.type_id in types:
                served += need.weight
            elif need.category_id in categories:
                served += CATEGORY_MATCH * need.weight
        result[position] = served / total
    return result


def distance_km(points_a: np.ndarray, points_b: np.ndarray) -> np.ndarray:
    """Return great-circle distances (km) between (lat, lng) rows of a and rows of b."""
    lat_a, lng_a = np.radians(points_a[:, 0])[:, None], np.radians(points_a[:, 1])[:, None]
    lat_b, lng_b = np.radians(points_b[:, 0])[None, :], np.radians(points_b[:, 1])[None, :]
    haversine = (
        np.sin((lat_b - lat_a) / 2) ** 2
        + np.cos(lat_a) * np.cos(lat_b) * np.sin((lng_b - lng_a) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(haversine, 0.0, 1.0)))


def proximity_matrix(unit_points: np.ndarray, community_points: np.ndarray) -> np.ndarray:
    """Return units × communities closeness in 0..1: 1 / (1 + distance / 2 km)."""
    if not len(unit_points) or not len(community_points):
        return np.zeros((len(unit_points), len(community_points)))
    return 1.0 / (1.0 + distance_km(unit_points, community_points) / HALF_DISTANCE_KM)


def proximity_of_pairs(unit_points, community_points, units, communities) -> np.ndarray:
    """Return ``proximity_matrix``'s value for the listed (unit, community) pairs only."""
    a, b = np.radians(unit_points[units]), np.radians(community_points[communities])
    haversine = (
        np.sin((b[:, 0] - a[:, 0]) / 2) ** 2
        + np.cos(a[:, 0]) * np.cos(b[:, 0]) * np.sin((b[:, 1] - a[:, 1]) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(haversine, 0.0, 1.0)))
    return 1.0 / (1.0 + distance / HALF_DISTANCE_KM)


def _on_sphere(points: np.ndarray) -> np.ndarray:
    lat, lng = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)])


def nearest_communities(
    unit_points: np.ndarray, community_points: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (unit index, community index) of each unit's ``count`` nearest communities.

    A k-d tree over points on the unit sphere (the chord orders like the great-circle
    distance), so a province's 40,000 units × 5,000 communities never form a matrix.
    """
    from scipy.spatial import cKDTree

    units, communities = len(unit_points), len(community_points)
    count = min(count, communities)
    if not units or not count:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    tree = cKDTree(_on_sphere(np.asarray(community_points, dtype=float)))
    _, nearest = tree.query(_on_sphere(np.asarray(unit_points, dtype=float)), k=count)
    nearest = np.asarray(nearest, dtype=np.int64).reshape(units, count)
    return np.repeat(np.arange(units), count), nearest.ravel()
