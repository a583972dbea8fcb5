"""Exact unit↔community pairing: an assignment for small instances, a priced LP for large.

The problem is a bipartite b-matching: unit u takes at most ``capacity[u]`` communities,
community c between ``min_quota[c]`` and ``max_quota[c]`` units, a pair at most once, and
the total score is maximised. Everything works on the list of allowed pairs.

Small instances are solved per connected component of the allowed-pair graph as one
rectangular assignment on an expanded graph:

* columns are the community's *slots* (``max_quota`` of them; the first ``min_quota``
  are mandatory) and rows are the units; with at least as many rows as columns, every
  column is covered, so every slot is filled by a unit or, for an optional slot, by the
  *filler* row that belongs to that slot alone (cost 0: the slot stays empty);
* a unit of capacity 1 is one row reaching every slot of each allowed community;
* a unit of capacity k > 1 is k rows, which must not take two slots of one community.
  Each of its allowed pairs e = (u, c) gets a gate column ``a_e`` (reached by the k
  rows, cost ``-score``) and a gate row ``b_e`` (reaching ``a_e`` and c's slots, cost
  0): ``a_e`` is taken once at most, so the pair is used at most once, and ``b_e``
  either closes the gate (pair unused) or passes the pairing on to one of c's slots.
  Gate rows carry a bonus larger than any score difference, so every optimum matches
  all of them, which is what makes the gadget exact.

``routing`` counts every row, column and edge of that expansion (gates included) and
the priced LP's arrays, sends an instance to the path that is fast and fits the memory
budget, and refuses with ``ProblemTooLarge`` one that fits neither. Large instances
with capacity 1, exact quotas and as many units as slots go first to
``auction.solve_by_auction`` (an ε-scaling auction, taken only when an LP dual bound over
every pair certifies it); the others, and any the auction does not certify, to
``pricing.solve_by_pricing``: the same problem as a transportation LP on candidate
pairs, certified optimal for every pair by its dual potentials; should HiGHS ever fail
there, the assignment path answers in its sparse form when that fits the budget, and
``SolverFailed`` names the cause when it does not. A tiny expansion is solved by
``hungarian.assign`` (NumPy only); SciPy and HiGHS are imported by the paths that use them.

Feasibility is decided beforehand (``feasibility.find_infeasibility``), so the
assignment always has a finite complete solution; the answer is verified anyway.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from marketplace.pairing import auction, hungarian, routing
from marketplace.pairing.feasibility import Remainder, find_infeasibility, remainder
from marketplace.pairing.problem import (
    PairingProblem,
    PairingResult,
    SolverFailed,
    check_problem,
)
from marketplace.pairing.reasons import describe

# Below this share of allowed cells the expanded matrix is solved in sparse form.
SPARSE_DENSITY = 0.2
# Large instances with capacity 1 and exact quotas try the auction before the priced LP.
AUCTION = True
log = logging.getLogger(__name__)


def solve_by_pricing(rest: Remainder, seed: np.ndarray) -> np.ndarray | None:
    """Run ``pricing.solve_by_pricing``, importing HiGHS and ``scipy.optimize`` only now."""
    from marketplace.pairing.pricing import solve_by_pricing as priced

    return priced(rest, seed)


def solve(problem: PairingProblem, *, memory_budget: int | None = None) -> PairingResult:
    """Return the pairs of maximum total score, or an infeasible result with its reason.

    Parameters
    ----------
    problem : PairingProblem
        Units, communities, scores (a dense matrix, NaN forbidding a pair, or a list of
        allowed pairs), capacities, quotas, pinned and forbidden pairs.
    memory_budget : int, optional
        Bytes the solve may use (default ``routing.DEFAULT_BUDGET``, 1 GiB).

    Returns
    -------
    PairingResult
        ``status="optimal"`` with the sorted pairs and their total score, or
        ``status="infeasible"`` with the reason as data (``infeasibility``), worded
        with ids (``reason``), and the communities that cannot reach their minimum.

    Raises
    ------
    InvalidProblem
        When the input is malformed; never for an infeasible problem.
    ProblemTooLarge
        (an InvalidProblem) when no path fits the memory budget; never a MemoryError.
    SolverFailed
        When HiGHS gives up on the priced LP and the sparse assignment does not fit the
        memory budget either (not a verdict of infeasibility).

    Notes
    -----
    Deterministic: the same input gives the same pairs (when several pairings share the
    optimal total, the assignment and the priced-LP paths may pick different ones; the
    total is the same). Exact: the total equals the optimum of the integer program
    (checked against ``scipy.optimize.milp`` in tests, through both paths).
    """
    budget = routing.DEFAULT_BUDGET if memory_budget is None else int(memory_budget)
    checked = check_problem(problem)
    rest = remainder(checked)
    unit_ids, community_ids = tuple(problem.unit_ids), tuple(problem.community_ids)
    infeasible, seed = find_infeasibility(checked, rest, unit_ids, community_ids)
    if infeasible:
        return PairingResult(
            status="infeasible",
            total_score=None,
            pairs=(),
            reason=describe(infeasible),
            short_communities=infeasible.short_communities,
            infeasibility=infeasible,
        )
    try:
        chosen = _solve_free(rest, seed, budget)
    except MemoryError:
        raise routing.too_large(rest, budget + 1, budget) from None
    chosen = np.concatenate([chosen, _pinned_positions(checked)])
    _verify(chosen, checked)
    pairs = sorted(
        (unit_ids[u], community_ids[c])
        for u, c in zip(
            checked.unit[chosen].tolist(), checked.community[chosen].tolist(), strict=True
        )
    )
    total = math.fsum(checked.score[np.sort(chosen)].tolist())
    return PairingResult(status="optimal", total_score=total, pairs=tuple(pairs))


def _pinned_positions(checked) -> np.ndarray:
    return checked.find(*checked.pinned_arrays())


def _solve_free(rest: Remainder, seed: np.ndarray, budget: int) -> np.ndarray:
    """Return the chosen free pairs as positions in the checked problem's pair list."""
    plan = routing.route(rest, budget)
    if plan.path == "none":
        return np.zeros(0, dtype=np.int64)
    if plan.path == "lp" and AUCTION and auction.applies(rest):
        # Capacity 1 and exact quotas (the usual plan): the auction answers in a fraction
        # of the LP's time; only a certified answer is taken, else the LP answers.
        won = auction.solve_by_auction(rest)
        if won is not None:
            return _to_checked(rest, won)
        log.info("pairing: the auction's answer was not certified; solving by the LP")
    sparse_only = False
    if plan.path == "lp":
        priced = solve_by_pricing(rest, seed)
        if priced is not None:
            return _to_checked(rest, priced)
        # An LP failure is no reason to refuse: the assignment is exact too, and in its
        # sparse form it needs far less memory than the dense bound the routing uses.
        log.warning("pairing: the priced LP gave up; solving by assignment instead")
        sparse_bytes = routing.sparse_assignment_bytes(routing.expansion(rest))
        if sparse_bytes > budget:
            raise lp_failed(rest, sparse_bytes, budget)
        sparse_only = plan.assignment_bytes > budget
    if plan.path == "assignment" and hungarian.preferred(plan.cells):
        # A tiny instance: one assignment over everything, no SciPy to import.
        members = np.flatnonzero(routing.usable(rest))
        return _to_checked(rest, _solve_component(rest, members, tiny=True))
    chosen = [_solve_component(rest, members, sparse_only) for members in _components(rest)]
    return _to_checked(rest, np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64))


def lp_failed(rest: Remainder, needed: int, budget: int) -> SolverFailed:
    """The error when HiGHS gives up and no other exact path fits the memory budget."""
    return SolverFailed(
        f"线性规划求解器（HiGHS）未能求解此实例（{rest.n_units} 个单位、"
        f"{rest.n_communities} 个社区），备用的精确算法约需 {needed / routing.MIB:.0f} MB "
        f"内存，超过预算 {budget / routing.MIB:.0f} MB。"
        "这不表示无解：请提高内存预算或缩小候选范围后重试"
    )


def _to_checked(rest: Remainder, positions: np.ndarray) -> np.ndarray:
    """Map positions in ``rest``'s free pairs to positions in the checked pair list."""
    return rest.origin[positions]


def _components(rest: Remainder):
    """Yield the free-pair positions of each component of the usable pair graph."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    positions = np.flatnonzero(routing.usable(rest))
    unit, community = rest.unit[positions], rest.community[positions]
    n_units, n_communities = rest.n_units, rest.n_communities
    graph = coo_matrix(
        (np.ones(positions.size), (unit, n_units + community)),
        shape=(n_units + n_communities,) * 2,
    )
    _, labels = connected_components(graph, directed=False)
    label = labels[unit]
    order = np.argsort(label, kind="stable")
    bounds = np.flatnonzero(np.diff(label[order])) + 1
    yield from np.split(positions[order], bounds)


def _solve_component(
    rest: Remainder, members: np.ndarray, sparse_only: bool = False, *, tiny: bool = False
) -> np.ndarray:
    """Solve one component as a rectangular assignment; return its chosen free pairs.

    ``sparse_only`` keeps the expanded matrix sparse whatever its density (when the
    dense form would not fit the budget); ``tiny`` solves it with ``hungarian.assign``.
    """
    units, unit = np.unique(rest.unit[members], return_inverse=True)
    communities, community = np.unique(rest.community[members], return_inverse=True)
    score = rest.score[members]
    # A unit never takes more communities than it may pair with, nor a community more
    # units than may pair with it: clipping keeps the expanded matrix small.
    capacity = np.minimum(rest.capacity[units], np.bincount(unit, minlength=units.size))
    high = np.minimum(
        rest.max_quota[communities], np.bincount(community, minlength=communities.size)
    )
    low = rest.min_quota[communities]
    first_slot = np.cumsum(high) - high
    slot_owner = np.repeat(np.arange(communities.size), high)
    slot_rank = np.arange(slot_owner.size) - first_slot[slot_owner]
    optional = np.flatnonzero(slot_rank >= low[slot_owner])

    single_unit = capacity == 1
    row_of_unit = np.cumsum(single_unit) - 1  # rows of single units come first
    is_single = single_unit[unit]
    multi_units = np.flatnonzero(capacity > 1)
    gate = np.flatnonzero(~is_single)  # pairs of multi-capacity units, one gate each
    n_single, n_copies = int(single_unit.sum()), int(capacity[multi_units].sum())
    first_filler = n_single + n_copies
    first_gate_row = first_filler + optional.size
    n_rows = first_gate_row + gate.size
    n_columns = slot_owner.size + gate.size
    bonus = -(2.0 * n_rows * (float(np.abs(score).max(initial=0.0)) + 1.0))

    parts = []  # (rows, columns, costs)
    # Single-capacity units reach every slot of each community they may pair with.
    single = np.flatnonzero(is_single)
    parts.append(
        _to_slots(row_of_unit[unit[single]], community[single], -score[single], high, first_slot)
    )
    # Copies of a multi-capacity unit reach the gates of that unit's pairs.
    copy_start = n_single + np.cumsum(capacity[multi_units]) - capacity[multi_units]
    copy_of = np.full(units.size, -1)
    copy_of[multi_units] = copy_start
    k = capacity[unit[gate]]
    repeat_gate = np.repeat(np.arange(gate.size), k)
    copy_index = np.arange(repeat_gate.size) - np.repeat(np.cumsum(k) - k, k)
    parts.append(
        (
            copy_of[unit[gate]][repeat_gate] + copy_index,
            slot_owner.size + repeat_gate,
            -score[gate][repeat_gate],
        )
    )
    # Each optional slot has its own filler row: taking it leaves the slot empty.
    parts.append((first_filler + np.arange(optional.size), optional, np.zeros(optional.size)))
    # A gate row closes its gate or passes the pair on to one of its community's slots.
    gate_rows = first_gate_row + np.arange(gate.size)
    parts.append((gate_rows, slot_owner.size + np.arange(gate.size), np.full(gate.size, bonus)))
    parts.append(_to_slots(gate_rows, community[gate], np.full(gate.size, bonus), high, first_slot))

    rows, columns, costs = (np.concatenate(side) for side in zip(*parts, strict=True))
    row_index, column_index = _assign(rows, columns, costs, (n_rows, n_columns), sparse_only, tiny)
    chosen = []
    single_key = row_of_unit[unit[single]] * communities.size + community[single]
    single_sorted = np.argsort(single_key)
    taken_single = row_index < n_single
    key = row_index[taken_single] * communities.size + slot_owner[column_index[taken_single]]
    found = single_sorted[np.searchsorted(single_key[single_sorted], key)]
    chosen.append(single[found])
    taken_copy = (row_index >= n_single) & (row_index < first_filler)
    chosen.append(gate[column_index[taken_copy] - slot_owner.size])
    return members[np.concatenate(chosen)]


def _to_slots(rows, community, cost, high, first_slot):
    """Edges from each row to every slot of its community (cost repeated per slot)."""
    count = high[community]
    repeat = np.repeat(np.arange(rows.size), count)
    rank = np.arange(repeat.size) - np.repeat(np.cumsum(count) - count, count)
    return rows[repeat], first_slot[community][repeat] + rank, cost[repeat]


def _assign(
    rows, columns, costs, shape, sparse_only=False, tiny=False
) -> tuple[np.ndarray, np.ndarray]:
    """Return the minimum-cost assignment covering every column of the expanded graph.

    Dense graphs go to ``linear_sum_assignment``; mostly empty ones (sparse instances)
    to its sparse sibling (LAPJVsp), which skips the missing cells that the dense
    algorithm scans on every step. Every full matching covers all columns, so shifting
    all costs by one constant (to make them positive, as the sparse format needs)
    changes no optimum. A tiny matrix goes to ``hungarian.assign`` (no SciPy import).
    """
    if not rows.size:
        return rows, columns
    dense = rows.size >= SPARSE_DENSITY * shape[0] * shape[1] and not sparse_only
    if tiny or dense:
        cost = np.full(shape, np.inf)
        cost[rows, columns] = costs
        if tiny:
            row_index, column_index = hungarian.assign(cost)
        else:
            from scipy.optimize import linear_sum_assignment

            row_index, column_index = linear_sum_assignment(cost)
        if not np.isfinite(cost[row_index, column_index]).all():
            raise RuntimeError("the assignment used a forbidden cell of a feasible problem")
        return row_index, column_index
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    weights = csr_matrix((costs - costs.min() + 1.0, (rows, columns)), shape=shape)
    return min_weight_full_bipartite_matching(weights)


def _verify(chosen: np.ndarray, checked) -> None:
    """Check the answer against every rule; a failure here is a bug, not infeasibility."""
    ordered = np.sort(chosen)  # not np.unique: it imports numpy.ma, slow on a tiny solve
    if (chosen < 0).any() or (ordered[1:] == ordered[:-1]).any():
        raise RuntimeError("a pair was chosen twice or is not allowed")
    units = np.bincount(checked.unit[chosen], minlength=checked.n_units)
    communities = np.bincount(checked.community[chosen], minlength=checked.n_communities)
    if (units > checked.capacity).any() or (communities < checked.min_quota).any():
        raise RuntimeError("the assignment broke a rule of a feasible problem")
    if (communities > checked.max_quota).any():
        raise RuntimeError("the assignment broke a quota of a feasible problem")
