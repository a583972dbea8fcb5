"""Large instances: a transportation LP on candidate pairs, certified optimal by its duals.

The pairing problem is a transportation problem (unit rows at most ``capacity``,
community rows between ``min`` and ``max``, each pair at most once): its constraint
matrix is totally unimodular, so a basic optimal solution of the LP is integral and is
an optimum of the integer problem. Solving the LP over all n × m pairs is slow, and
nearly all pairs are far from the optimum, so this module prices them out instead
(column generation):

1. keep each unit's best allowed communities and each community's best allowed units
   (all work is on the list of allowed pairs, never on the dense n × m matrix, so a
   sparse instance costs in proportion to its allowed pairs);
2. solve the LP restricted to these candidates with HiGHS, which returns a basic
   (integral) solution and the dual potentials of every row: a large first LP by the
   interior point method with crossover to a basis, later rounds by dual simplex; one
   HiGHS model is kept across rounds, so added pairs re-solve from the last basis
   (``linprog`` re-solving from scratch is the fallback);
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

import contextlib
import os
import sys

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, vstack

from marketplace.pairing.feasibility import Remainder
from marketplace.pairing.routing import usable

try:  # HiGHS's own public Python binding; the public linprog is the fallback
    import highspy
except ImportError:  # pragma: no cover - an install without it
    highspy = None


def _swallow_banner() -> None:
    """Create one HiGHS instance with standard output closed at the OS level.

    HiGHS prints its copyright banner on the first instance of a process, from C,
    before any option can turn output off; on the command line that line would break
    the JSON answer on standard output. Done once, at import.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


if highspy is not None:
    with contextlib.suppress(OSError, ValueError):
        _swallow_banner()

# Candidates kept per unit at the start, measured on the city benchmark (first LP by
# IPM): sparse 4 (3: 0.56 s, 4: 0.36 s, 6: 0.42 s), dense 6 (4: 0.77 s, 6: 0.64 s,
# 8: 0.70 s); a unit allowed more than DENSE_DEGREE communities counts as dense.
NEAREST = 4
NEAREST_DENSE = 6
DENSE_DEGREE = 100
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
# A first restricted LP with at least this many columns is solved by the interior point
# method (then crossover to a basis), which on the sparse city takes 0.26 s where dual
# simplex from the slack basis takes 0.43 s (17,500 iterations); later rounds use dual
# simplex from the basis found. Tests lower it to run the IPM path on small instances.
IPM_COLUMNS = 5_000
# Start with the feasibility seed among the candidates. Without it a tight instance's
# first LP can be infeasible (1,500 × 12,000, every unit needed: the seed then joins
# after the IPM solve and the dual simplex needs 88,700 iterations, 163 s under load).
SEED_FIRST = True
# Up to this many allowed pairs the first LP takes them all (no pricing rounds) and
# HiGHS skips presolve: a county with capacities 1-3 (968 pairs) solves in half the time.
SMALL_PAIRS = 2_000
# HiGHS' simplex_strategy for the re-solves after the first: primal simplex (4) when
# the columns added are at most PRIMAL_SHARE of the model, dual simplex (1) otherwise.
PRIMAL_SIMPLEX = 4
DUAL_SIMPLEX = 1
PRIMAL_SHARE = 0.03
# Keep one HiGHS model across rounds (warm start) rather than re-solving with linprog.
HOT_START = True
# Also start with each community's best units (tests turn this off to start smaller).
BY_COMMUNITY = True


def solve_by_pricing(rest: Remainder, seed: np.ndarray | None = None) -> np.ndarray | None:
    """Return the optimal free pairs (positions in ``rest``), or None if the LP gave up.

    ``seed`` (positions in ``rest``) are pairs meeting every minimum within every
    capacity and maximum: should the first candidates fail to meet the minimums, they
    join, so the next restricted LP is feasible (widening the candidates instead once
    made a province's LP take in 80 % of all pairs).
    """
    # Work on the list of allowed pairs, not the n × m matrix: on a sparse instance
    # (the city where a unit may pair with 20 of 500 communities) it is 25 times shorter.
    positions = np.flatnonzero(usable(rest))  # sorted by unit
    if not positions.size:
        return positions
    units, communities = rest.unit[positions], rest.community[positions]
    cost = -rest.score[positions]
    scale = max(1.0, float(np.abs(cost).max()))
    pairs = _Pairs(rest, units, communities, cost)
    model = _HotModel(rest) if HOT_START and highspy is not None else _ColdModel(rest)
    dense = int(pairs.per_unit.max()) > DENSE_DEGREE
    if positions.size <= SMALL_PAIRS:  # a county: one LP over every pair, no pricing
        candidate = np.ones(positions.size, dtype=bool)
    else:
        candidate = pairs.initial_candidates(NEAREST_DENSE if dense else NEAREST)
    seeded = np.zeros(positions.size, dtype=bool)
    if seed is not None and seed.size:
        seeded[np.searchsorted(positions, seed)] = True
    if SEED_FIRST:
        candidate |= seeded
    model.add(np.flatnonzero(candidate), units, communities, cost)
    for _ in range(MAX_ROUNDS):
        outcome = model.solve()
        if outcome is None:
            return None
        if outcome == "infeasible":
            # Too few candidates to meet every minimum (the full problem is feasible):
            # add the seed, or, without one, widen every unit's list and try again.
            entering = seeded & ~candidate
            if not entering.any():
                most = int(np.bincount(units[candidate]).max())
                entering = pairs.initial_candidates(2 * most) & ~candidate
        else:
            taken, unit_dual, community_dual = outcome
            # In place: on the larger instance each temporary is 8 million floats.
            reduced = unit_dual[units]
            reduced += community_dual[communities]
            np.subtract(cost, reduced, out=reduced)
            entering = ~candidate & (reduced < -TOLERANCE * scale)
            if not entering.any():
                return positions[model.members[taken]]
        model.add(np.flatnonzero(entering), units, communities, cost)
        candidate |= entering
    return None


class _Pairs:
    """The allowed pairs as parallel arrays, with each pair's rank in its unit and community."""

    def __init__(self, rest: Remainder, units, communities, cost):
        self.cost, self.rest = cost, rest
        self.units, self.communities = units, communities
        self.per_unit = np.bincount(units, minlength=rest.n_units)
        first = np.cumsum(self.per_unit) - self.per_unit
        self.unit_rank = np.arange(units.size) - first[units]  # pairs come sorted by unit
        self.per_community = np.bincount(communities, minlength=rest.n_communities)
        order = np.argsort(communities, kind="stable")
        first = np.cumsum(self.per_community) - self.per_community
        self.community_rank = np.empty_like(order)
        self.community_rank[order] = np.arange(order.size) - first[communities[order]]

    def initial_candidates(self, nearest: int) -> np.ndarray:
        """Mark each unit's ``nearest`` cheapest pairs and each community's best units."""
        candidate = _cheapest(self.units, self.unit_rank, self.per_unit, self.cost, nearest)
        if BY_COMMUNITY:
            # A community's minimum needs units that list it: keep its best max + nearest.
            wanted = int(self.rest.max_quota.max(initial=0)) + nearest
            candidate |= _cheapest(
                self.communities, self.community_rank, self.per_community, self.cost, wanted
            )
        return candidate


def _cheapest(group, rank, sizes, cost, count: int) -> np.ndarray:
    """Mark the ``count`` cheapest pairs of each group (all of a smaller group)."""
    width = int(sizes.max(initial=0))
    if count >= width:
        return np.ones(cost.size, dtype=bool)
    if sizes.size * width > 4 * cost.size:  # a padded table would be mostly padding
        order = np.lexsort((cost, group))
        first = np.cumsum(sizes) - sizes
        place = np.arange(order.size) - first[group[order]]
        candidate = np.zeros(cost.size, dtype=bool)
        candidate[order[place < count]] = True
        return candidate
    # One row per group, padded with +inf: a row-wise partition picks each group's best.
    table = np.full((sizes.size, width), np.inf)
    table[group, rank] = cost
    index = np.full((sizes.size, width), -1, dtype=np.int64 if cost.size >= 2**31 else np.int32)
    index[group, rank] = np.arange(cost.size)
    best = np.argpartition(table, count - 1, axis=1)[:, :count]
    picked = np.take_along_axis(index, best, axis=1)
    candidate = np.zeros(cost.size, dtype=bool)
    candidate[picked[picked >= 0]] = True
    return candidate


class _ColdModel:
    """The restricted LP re-solved from scratch by ``linprog`` each round (public API)."""

    def __init__(self, rest: Remainder):
        self.rest = rest
        self.members = np.zeros(0, dtype=np.int64)
        self.units = self.communities = np.zeros(0, dtype=np.int64)
        self.cost = np.zeros(0)

    def add(self, members: np.ndarray, units, communities, cost) -> None:
        """Add the pairs ``members`` (indices into the parallel arrays) as columns."""
        self.members = np.concatenate([self.members, members])
        self.units = np.concatenate([self.units, units[members]])
        self.communities = np.concatenate([self.communities, communities[members]])
        self.cost = np.concatenate([self.cost, cost[members]])

    def solve(self):
        return _restricted_lp(self.cost, self.rest, self.units, self.communities)


class _HotModel(_ColdModel):
    """The restricted LP kept in one HiGHS instance: added pairs re-solve from its basis.

    HiGHS is reached through its own public Python binding (``highspy``), because
    ``linprog`` cannot add columns to a solved model; a later round then costs a few
    simplex iterations instead of a full solve (city: 0.5 s → 0.03 s).
    """

    def __init__(self, rest: Remainder):
        super().__init__(rest)
        n_units, n_communities = rest.n_units, rest.n_communities
        self.n_units = n_units
        lp = highspy.HighsLp()
        lp.num_row_ = lp.a_matrix_.num_row_ = n_units + n_communities
        lp.row_lower_ = np.concatenate([np.full(n_units, -np.inf), rest.min_quota]).astype(float)
        lp.row_upper_ = np.concatenate([rest.capacity, rest.max_quota]).astype(float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.zeros(1, dtype=np.int32)
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        for name in ("dual_feasibility_tolerance", "primal_feasibility_tolerance"):
            self.highs.setOptionValue(name, HIGHS_OPTIONS[name])
        self.highs.passModel(lp)
        self.solves = 0

    def add(self, members: np.ndarray, units, communities, cost) -> None:
        super().add(members, units, communities, cost)
        self.entering = members.size
        units, communities, cost = units[members], communities[members], cost[members]
        count = units.size
        rows = np.empty(2 * count, dtype=np.int32)
        rows[0::2], rows[1::2] = units, self.n_units + communities
        self.highs.addCols(
            count,
            cost,
            np.zeros(count),
            np.ones(count),
            2 * count,
            np.arange(0, 2 * count, 2, dtype=np.int32),
            rows,
            np.ones(2 * count),
        )

    def solve(self):
        # The first solve of a large LP goes to the interior point method (with
        # crossover, so the answer is a basis); later rounds re-solve from that basis.
        first_by_ipm = self.solves == 0 and self.units.size >= IPM_COLUMNS
        if self.solves == 0 and self.units.size <= SMALL_PAIRS:
            self.highs.setOptionValue("presolve", "off")
        if self.solves:
            # Later rounds only add columns at zero: the basis stays primal feasible, so
            # the primal simplex goes on from it, where the dual simplex would first
            # repair the entering columns' dual infeasibility (tied scores: 1,200-1,800
            # iterations for 2-14 new columns, against a handful). Many entering columns
            # at once suit the dual simplex better.
            few = self.entering <= PRIMAL_SHARE * self.units.size
            self.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX if few else DUAL_SIMPLEX)
        self.solves += 1
        if first_by_ipm:
            self.highs.setOptionValue("solver", "ipm")
        self.highs.run()
        if first_by_ipm:
            self.highs.setOptionValue("solver", "simplex")
        status = self.highs.getModelStatus()
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return "infeasible"
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        solution = self.highs.getSolution()
        x = np.asarray(solution.col_value)
        if np.abs(x - np.rint(x)).max(initial=0.0) > 1e-6:
            return None
        dual = np.asarray(solution.row_dual)
        return x > 0.5, dual[: self.n_units], dual[self.n_units :]


def _restricted_lp(cost, rest: Remainder, units: np.ndarray, communities: np.ndarray):
    """Solve the LP on the pairs (units[i], communities[i]) of cost ``cost[i]``.

    Return (taken mask, unit duals, community duals).

    Returns "infeasible" when the candidates cannot meet the minimums, and None when
    HiGHS fails or answers with a fractional solution.
    """
    n_units, n_communities = rest.n_units, rest.n_communities
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
        cost,
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
