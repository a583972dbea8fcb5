"""The certificate of an answer: an LP dual bound over every allowed pair.

Any non-negative unit duals give an upper bound on every pairing's total (weak LP
duality, with the community duals and the pair bounds at their best in closed form);
an answer within the tolerance of such a bound is optimal to that tolerance. With
scores on a grid and a fixed number of pairs, less than half a step is exact.
"""

from __future__ import annotations

import numpy as np

from marketplace.pairing.feasibility import Remainder

# The pairing is accepted when the dual bound exceeds its total by at most this, times
# the largest absolute score (the priced LP prices a pair in at the same level).
GAP_TOLERANCE = 1e-9
# Scores on a grid (at most GRID_MOST distinct values, steps at least GRID_SMALLEST of
# their range) are certified to half a step.
GRID_MOST = 1_000
GRID_SMALLEST = 1e-6


def community_rows(community: np.ndarray, n_communities: int) -> np.ndarray:
    """Return each community's pair indices as one row of a table padded with -1."""
    degree = np.bincount(community, minlength=n_communities)
    order = np.argsort(community, kind="stable")
    first = np.cumsum(degree) - degree
    rank = np.arange(order.size) - first[community[order]]
    rows = np.full((n_communities, max(1, int(degree.max(initial=0)))), -1, dtype=np.int64)
    rows[community[order], rank] = order
    return rows


def dual_bound(rest: Remainder, positions: np.ndarray, unit_dual: np.ndarray, rows=None) -> float:
    """Return the LP dual objective of the whole free problem at unit duals ``unit_dual``.

    For any non-negative unit duals π, the best community duals and pair bounds follow
    in closed form: community c contributes the largest total of between ``min[c]`` and
    ``max[c]`` of its reduced scores ``score - π[unit]`` (its ``min`` best, plus the
    positive ones among the next ``max - min``). The sum of ``capacity × π`` and these
    is an upper bound on every pairing's total (weak duality), for every allowed pair.
    ``rows`` (from ``community_rows``) may be passed when already built.
    """
    unit_dual = np.maximum(unit_dual, 0.0)
    pair = community_rows(rest.community[positions], rest.n_communities) if rows is None else rows
    unit = rest.unit[positions][pair]
    reduced = np.where(pair >= 0, rest.score[positions][pair] - unit_dual[unit], -np.inf)
    high = np.clip(rest.max_quota, 0, reduced.shape[1])
    low = np.minimum(rest.min_quota, high)
    depth = int(high.max(initial=0))
    if not depth:
        return float(np.maximum(rest.capacity, 0) @ unit_dual)
    if depth < reduced.shape[1]:
        reduced = -np.partition(-reduced, depth - 1, axis=1)[:, :depth]
    best = -np.sort(-reduced, axis=1)[:, :depth]
    rank = np.arange(depth)[None, :]
    counted = (rank < low[:, None]) | ((rank < high[:, None]) & (best > 0))
    counted &= np.isfinite(best)
    total = float(np.where(counted, best, 0.0).sum())
    return float(np.maximum(rest.capacity, 0) @ unit_dual) + total


def grid_step(score: np.ndarray, slack: float) -> float:
    """Return the step every score difference is a whole multiple of, or 0 if none is.

    Only a step of at least ``GRID_SMALLEST`` of the score range counts, and only when
    every score sits within ``slack`` of the grid (floating-point rounding: 0.35 is not
    exactly 7 × 0.05), so that totals off by whole steps are off by at most that much
    per pair besides.
    """
    # A sample tells scores that take many values (most instances) cheaply.
    if np.unique(score[:: max(1, score.size // GRID_MOST)]).size >= GRID_MOST:
        return 0.0
    distinct = np.unique(score)
    if distinct.size < 2 or distinct.size > GRID_MOST:
        return 0.0
    step = float(np.diff(distinct).min())
    if step < GRID_SMALLEST * float(distinct[-1] - distinct[0]):
        return 0.0
    on_grid = distinct[0] + np.rint((distinct - distinct[0]) / step) * step
    if np.abs(distinct - on_grid).max() > slack:
        return 0.0
    return step
