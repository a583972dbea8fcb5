"""The default pair score, as explainable parts: coverage, proximity and continuity.

Pure arithmetic on plain values (numpy only); ``marketplace.services.pairing_scores``
reads the database and calls it.

* coverage: the share of a community's open needs that the unit's published offers
  can serve, each need weighted by urgency × remaining quantity; an offer of the same
  type serves a need fully, one of the same category half (``CATEGORY_MATCH``);
* proximity: ``1 / (1 + d / HALF_DISTANCE_KM)`` for the great-circle distance d, so 1
  at the same place and 0.5 at ``HALF_DISTANCE_KM``;
* continuity: 1 when the pair is in the currently published plan;
* preference: 1 when the community asked to keep or to gain this unit (its staff state
  this before a run, within limits: ``services/pairing_preferences.py``).

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
    "WEIGHT_NAMES",
    "NeedWeight",
    "PairScore",
    "ScoreWeights",
    "coverage_matrix",
    "distance_km",
    "proximity_matrix",
]

WEIGHT_NAMES = ("coverage", "proximity", "continuity", "preference")
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
        for name in WEIGHT_NAMES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"权重 {name} 必须是数字")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"权重 {name} 必须是不小于 0 的有限数字")

    def as_dict(self) -> dict[str, float]:
        """Return the weights as a plain dict (for storing with a plan)."""
        return {
            "coverage": self.coverage,
            "proximity": self.proximity,
            "continuity": self.continuity,
            "preference": self.preference,
        }


@dataclass(frozen=True)
class PairScore:
    """One pair's score as its weighted parts; ``total`` is their sum."""

    coverage: float
    proximity: float
    continuity: float
    preference: float = 0.0

    @property
    def total(self) -> float:
        return self.coverage + self.proximity + self.continuity + self.preference


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
    result = np.zeros((len(offered), len(needs)))
    for column, community_needs in enumerate(needs):
        community_needs = list(community_needs)
        total = sum(need.weight for need in community_needs)
        if total <= 0:
            continue
        for row, (types, categories) in enumerate(offered):
            served = 0.0
            for need in community_needs:
                if need.type_id in types:
                    served += need.weight
                elif need.category_id in categories:
                    served += CATEGORY_MATCH * need.weight
            result[row, column] = served / total
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
