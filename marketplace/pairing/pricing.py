"""Large instances: a transportation LP on candidate pairs, certified optimal by its duals.

The pairing problem is a transportation problem (unit rows at most ``capacity``,
community rows between ``min`` and ``max``, each pair at most once): its constraint
matrix is totally unimodular, so a basic optimal solution of the LP is integral and is
an optimum of the integer problem. Solving the LP over all n × m pairs is slow, and
nearly all pairs are far from the optimum, so this module prices them out instead
(column generation):

1. keep each unit's best allowed communities and each community's best allowed units;
2. solve the LP restricted to these candidates with HiGHS dual simplex
   (``scipy.optimize.linprog``), which returns a basic (integral) solution and the
   dual potentials of every row;
3. compute, vectorised over every allowed pair, the reduced cost
   ``-score - unit_dual - community_dual``; a pair left out with a negative reduced
   cost could improve the answer, so it joins the candidates and step 2 runs again;
4. when no pair left out has a negative reduced cost, the restricted optimum is
   optimal for the full problem (LP duality), hence exact.

Ties are broken by HiGHS, deterministically for the same input; among several optima
only the total is the same as the assignment path's. ``None`` is returned (and the
caller falls back to the assignment) if HiGHS reports anything but an optimum or a
fractional answer, which total unimodularity rules out but is checked anyway.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, vstack

from marketplace.pairing.feasibility import Remainder

# Candidates kept per unit at the start (and added per round when the LP is infeasible).
NEAREST = 8
# A left-out pair prices in when its reduced cost is below minus this, relative to the
# largest absolute score (HiGHS itself is asked for 1e-10).
TOLERANCE = 1e-9
# HiGHS tolerances tighter than its defaults (1e-7), so that the duals certify to 1e-9.
HIGHS_OPTIONS = {
    "presolve": True,
    "dual_feasibility_tolerance": 1e-10,
    "primal_feasibility_tolerance": 1e-10,
}
MAX_ROUNDS = 50
# Also start with each community's best units (tests turn this off to start smaller).
BY_COMMUNITY = True
# Once any pair prices in, the pairs whose reduced cost is below this share of the
# largest absolute score join too: they tend to be wanted next round, and a bigger LP
# costs less than one more round (measured on the city benchmark: 4 rounds → 2).
MARGIN = 0.03


def solve_by_pricing(scores: np.ndarray, rest: Remainder) -> list[tuple[int, int]] | None:
    """Return the optimal free pairs (unit, community), or None if the LP path gave up."""
    allowed = rest.allowed & (rest.capacity > 0)[:, None] & (rest.max_quota > 0)[None, :]
    if not allowed.any():
        return []
    cost = np.where(allowed, -np.nan_to_num(scores), np.inf)
    scale = max(1.0, float(np.abs(cost[allowed]).max()))
    candidate = _initial_candidates(cost, rest, NEAREST)
    for _ in range(MAX_ROUNDS):
        units, communities = np.nonzero(candidate)
        outcome = _restricted_lp(cost, rest, units, communities)
        if outcome is None:
            return None
        if outcome == "infeasible":
            # Too few candidates to meet every minimum (the full problem is feasible):
            # widen every unit's list and try again; at worst every allowed pair is in.
            candidate |= _initial_candidates(cost, rest, 2 * int(candidate.sum(axis=1).max()))
            continue
        taken, unit_dual, community_dual = outcome
        reduced = cost - unit_dual[:, None] - community_dual[None, :]
        outside = allowed & ~candidate
        if not (outside & (reduced < -TOLERANCE * scale)).any():
            return list(zip(units[taken].tolist(), communities[taken].tolist(), strict=True))
        candidate |= outside & (reduced < MARGIN * scale)
    return None


def _initial_candidates(cost: np.ndarray, rest: Remainder, nearest: int) -> np.ndarray:
    """Mark each unit's ``nearest`` cheapest allowed pairs and each community's best units."""
    units, communities = cost.shape
    candidate = np.zeros(cost.shape, dtype=bool)
    per_unit = min(nearest, communities)
    if per_unit < communities:
        best = np.argpartition(cost, per_unit - 1, axis=1)[:, :per_unit]
        candidate[np.arange(units)[:, None], best] = True
    else:
        candidate[:] = True
    if not BY_COMMUNITY:
        return candidate & np.isfinite(cost)
    # A community's minimum needs units that list it: keep its best max + nearest too.
    per_community = min(int(rest.max_quota.max(initial=0)) + nearest, units)
    if per_community < units:
        best = np.argpartition(cost, per_community - 1, axis=0)[:per_community]
        candidate[best, np.arange(communities)[None, :]] = True
    else:
        candidate[:] = True
    return candidate & np.isfinite(cost)


def _restricted_lp(cost, rest: Remainder, units: np.ndarray, communities: np.ndarray):
    """Solve the LP on the candidate pairs; return (taken mask, unit duals, community duals).

    Returns "infeasible" when the candidates cannot meet the minimums, and None when
    HiGHS fails or answers with a fractional solution.
    """
    n_units, n_communities = cost.shape
    count = units.size
    variables = np.arange(count)
    ones = np.ones(count)
    by_unit = coo_matrix((ones, (units, variables)), shape=(n_units, count))
    by_community = coo_matrix((ones, (communities, variables)), shape=(n_communities, count))
    low, high = rest.min_quota, rest.max_quota
    exact = np.flatnonzero(low == high)
    ranged = np.flatnonzero(low < high)
    floored = ranged[low[ranged] > 0]
    by_community = by_community.tocsr()
    upper = vstack([by_unit.tocsr(), by_community[ranged], -by_community[floored]]).tocsr()
    upper_bound = np.concatenate([rest.capacity, high[ranged], -low[floored]]).astype(float)
    equal = by_community[exact] if exact.size else None
    result = linprog(
        cost[units, communities],
        A_ub=upper,
        b_ub=upper_bound,
        A_eq=equal,
        b_eq=low[exact].astype(float) if exact.size else None,
        bounds=(0, 1),
        method="highs-ds",
        options=HIGHS_OPTIONS,
    )
    if result.status == 2:
        return "infeasible"
    if result.status != 0:
        return None
    x = result.x
    if np.abs(x - np.rint(x)).max(initial=0.0) > 1e-6:
        return None
    marginals = result.ineqlin.marginals
    unit_dual = marginals[:n_units]
    community_dual = np.zeros(n_communities)
    community_dual[ranged] += marginals[n_units : n_units + ranged.size]
    community_dual[floored] -= marginals[n_units + ranged.size :]
    if exact.size:
        community_dual[exact] += result.eqlin.marginals
    return x > 0.5, unit_dual, community_dual
