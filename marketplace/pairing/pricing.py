"""Large instances: a transportation LP on candidate pairs, certified optimal by its duals.

The pairing problem is a transportation problem (unit rows at most ``capacity``,
community rows between ``min`` and ``max``, each pair at most once): its constraint
matrix is totally unimodular, so a basic optimal solution of the LP is integral and is
an optimum of the integer problem. Solving the LP over all n × m pairs is slow, and
nearly all pairs are far from the optimum, so this module prices them out instead
(column generation):

1. keep each unit's best allowed communities and each community's best allowed units;
2. solve the LP restricted to these candidates with HiGHS dual simplex, which returns
   a basic (integral) solution and the dual potentials of every row; one HiGHS model
   is kept across rounds, so added pairs re-solve from the last basis (``linprog``
   re-solving from scratch is the fallback);
3. compute, vectorised over every allowed pair, the reduced cost
   ``-score - unit_dual - community_dual``; a pair left out with a negative reduced
   cost could improve the answer, so it joins the candidates and step 2 runs again;
4. when no pair left out has a negative reduced cost (below ``-TOLERANCE`` times the
   largest absolute score), the restricted optimum is optimal for the full problem
   (LP duality), hence exact.

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

try:  # SciPy's own HiGHS binding: private, so the public linprog stays the fallback
    from scipy.optimize._highspy import _core
except ImportError:  # pragma: no cover - a SciPy without it
    _core = None

# Candidates kept per unit at the start (measured on the city benchmark: 4 and 8 are
# slower; with the warm start a small first LP and a few cheap rounds win).
NEAREST = 6
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
# Keep one HiGHS model across rounds (warm start) rather than re-solving with linprog.
HOT_START = True
# Also start with each community's best units (tests turn this off to start smaller).
BY_COMMUNITY = True


def solve_by_pricing(scores: np.ndarray, rest: Remainder) -> list[tuple[int, int]] | None:
    """Return the optimal free pairs (unit, community), or None if the LP path gave up."""
    allowed = rest.allowed & (rest.capacity > 0)[:, None] & (rest.max_quota > 0)[None, :]
    if not allowed.any():
        return []
    cost = np.where(allowed, -np.nan_to_num(scores), np.inf)
    scale = max(1.0, float(np.abs(cost[allowed]).max()))
    model = _HotModel(cost, rest) if HOT_START and _core is not None else _ColdModel(cost, rest)
    candidate = _initial_candidates(cost, rest, NEAREST)
    model.add(*np.nonzero(candidate))
    for _ in range(MAX_ROUNDS):
        outcome = model.solve()
        if outcome is None:
            return None
        if outcome == "infeasible":
            # Too few candidates to meet every minimum (the full problem is feasible):
            # widen every unit's list and try again; at worst every allowed pair is in.
            wider = _initial_candidates(cost, rest, 2 * int(candidate.sum(axis=1).max()))
            model.add(*np.nonzero(wider & ~candidate))
            candidate |= wider
            continue
        taken, unit_dual, community_dual = outcome
        reduced = cost - unit_dual[:, None] - community_dual[None, :]
        entering = allowed & ~candidate & (reduced < -TOLERANCE * scale)
        if not entering.any():
            units, communities = model.units[taken], model.communities[taken]
            return list(zip(units.tolist(), communities.tolist(), strict=True))
        model.add(*np.nonzero(entering))
        candidate |= entering
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


class _ColdModel:
    """The restricted LP re-solved from scratch by ``linprog`` each round (public API)."""

    def __init__(self, cost: np.ndarray, rest: Remainder):
        self.cost, self.rest = cost, rest
        self.units = self.communities = np.zeros(0, dtype=np.int64)

    def add(self, units: np.ndarray, communities: np.ndarray) -> None:
        self.units = np.concatenate([self.units, units])
        self.communities = np.concatenate([self.communities, communities])

    def solve(self):
        return _restricted_lp(self.cost, self.rest, self.units, self.communities)


class _HotModel(_ColdModel):
    """The restricted LP kept in one HiGHS instance: added pairs re-solve from its basis.

    HiGHS is reached through SciPy's bundled binding (``scipy.optimize._highspy``),
    because ``linprog`` cannot add columns to a solved model; a later round then costs
    a few simplex iterations instead of a full solve (city: 0.5 s → 0.03 s).
    """

    def __init__(self, cost: np.ndarray, rest: Remainder):
        super().__init__(cost, rest)
        n_units, n_communities = cost.shape
        self.n_units = n_units
        lp = _core.HighsLp()
        lp.num_row_ = lp.a_matrix_.num_row_ = n_units + n_communities
        lp.row_lower_ = np.concatenate([np.full(n_units, -np.inf), rest.min_quota])
        lp.row_upper_ = np.concatenate([rest.capacity, rest.max_quota]).astype(float)
        lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.zeros(1, dtype=np.int32)
        options = _core.HighsOptions()
        options.output_flag = False
        options.dual_feasibility_tolerance = HIGHS_OPTIONS["dual_feasibility_tolerance"]
        options.primal_feasibility_tolerance = HIGHS_OPTIONS["primal_feasibility_tolerance"]
        self.highs = _core._Highs()
        self.highs.passOptions(options)
        self.highs.passModel(lp)

    def add(self, units: np.ndarray, communities: np.ndarray) -> None:
        super().add(units, communities)
        count = units.size
        rows = np.empty(2 * count, dtype=np.int32)
        rows[0::2], rows[1::2] = units, self.n_units + communities
        self.highs.addCols(
            count,
            self.cost[units, communities],
            np.zeros(count),
            np.ones(count),
            2 * count,
            np.arange(0, 2 * count, 2, dtype=np.int32),
            rows,
            np.ones(2 * count),
        )

    def solve(self):
        self.highs.run()
        status = self.highs.getModelStatus()
        if status in (
            _core.HighsModelStatus.kInfeasible,
            _core.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return "infeasible"
        if status != _core.HighsModelStatus.kOptimal:
            return None
        solution = self.highs.getSolution()
        x = np.asarray(solution.col_value)
        if np.abs(x - np.rint(x)).max(initial=0.0) > 1e-6:
            return None
        dual = np.asarray(solution.row_dual)
        return x > 0.5, dual[: self.n_units], dual[self.n_units :]


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
