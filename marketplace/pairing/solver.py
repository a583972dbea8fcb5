"""Exact unit↔community pairing with ``scipy.optimize.linear_sum_assignment``.

The problem is a bipartite b-matching: unit u takes at most ``capacity[u]`` communities,
community c between ``min_quota[c]`` and ``max_quota[c]`` units, a pair at most once, and
the total score is maximised. It is solved per connected component of the allowed-pair
graph (pairs never cross a county or a forbidden boundary) as one rectangular assignment
on an expanded matrix:

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

Large instances (an expanded matrix above ``LARGE_CELLS`` cells, such as a city of
500 communities × 4,000 units) go instead to ``pricing.solve_by_pricing``: the same
problem as a transportation LP on each unit's best candidate pairs, certified optimal
for every pair by its dual potentials; should HiGHS ever fail there, the assignment
path answers.

Feasibility is decided beforehand (``feasibility.find_infeasibility``), so the
assignment always has a finite complete solution; the answer is verified anyway.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from marketplace.pairing.feasibility import Remainder, find_infeasibility, remainder
from marketplace.pairing.pricing import solve_by_pricing
from marketplace.pairing.problem import PairingProblem, PairingResult, check_problem

# Below this share of allowed cells the expanded matrix is solved in sparse form.
SPARSE_DENSITY = 0.2
# Above this many cells (rows × slot columns) the expanded matrix is not built: the
# priced LP is faster (county: 88 × 88 cells, assignment; city: 4,000 × 4,000, LP).
LARGE_CELLS = 2_000_000


def solve(problem: PairingProblem) -> PairingResult:
    """Return the pairs of maximum total score, or an infeasible result with its reason.

    Parameters
    ----------
    problem : PairingProblem
        Units, communities, scores (NaN forbids a pair), capacities, quotas, pinned and
        forbidden pairs.

    Returns
    -------
    PairingResult
        ``status="optimal"`` with the sorted pairs and their total score, or
        ``status="infeasible"`` with a Chinese reason and, when known, the communities
        that cannot reach their minimum.

    Raises
    ------
    InvalidProblem
        When the input is malformed; never for an infeasible problem.

    Notes
    -----
    Deterministic: the same input gives the same pairs (when several pairings share the
    optimal total, the assignment and the priced-LP paths may pick different ones; the
    total is the same). Exact: the total equals the optimum of the integer program
    (checked against ``scipy.optimize.milp`` in tests, through both paths).
    """
    checked = check_problem(problem)
    rest = remainder(checked)
    unit_ids, community_ids = tuple(problem.unit_ids), tuple(problem.community_ids)
    infeasible = find_infeasibility(checked, rest, unit_ids, community_ids)
    if infeasible:
        return PairingResult(
            status="infeasible",
            total_score=None,
            pairs=(),
            reason=infeasible.reason,
            short_communities=infeasible.short_communities,
        )
    chosen = list(checked.pinned)
    priced = solve_by_pricing(checked.scores, rest) if _is_large(rest) else None
    if priced is not None:
        chosen.extend(priced)
    else:
        for units, communities in _components(rest):
            chosen.extend(_solve_component(checked.scores, rest, units, communities))
    _verify(chosen, checked.scores, checked.capacity, checked.min_quota, checked.max_quota)
    pairs = sorted((unit_ids[u], community_ids[c]) for u, c in chosen)
    total = math.fsum(float(checked.scores[u, c]) for u, c in sorted(chosen))
    return PairingResult(status="optimal", total_score=total, pairs=tuple(pairs))


def _is_large(rest: Remainder) -> bool:
    """Tell whether the expanded matrix would exceed ``LARGE_CELLS`` cells."""
    allowed = rest.allowed & (rest.capacity > 0)[:, None]
    slots = int(np.minimum(rest.max_quota, allowed.sum(axis=0)).clip(0).sum())
    rows = int(np.minimum(rest.capacity, allowed.sum(axis=1)).clip(0).sum())
    return max(rows, slots) * slots > LARGE_CELLS


def _components(rest: Remainder):
    """Yield (unit indices, community indices) of each component that can hold a pair."""
    allowed = rest.allowed & (rest.capacity > 0)[:, None] & (rest.max_quota > 0)[None, :]
    units, communities = allowed.shape
    active_units = np.flatnonzero(allowed.any(axis=1))
    active_communities = np.flatnonzero(allowed.any(axis=0))
    # Shortcut for dense instances: a community open to every active unit joins them
    # all (and through them every active community) into one component.
    if active_units.size and allowed[active_units].all(axis=0).any():
        yield active_units, active_communities
        return
    unit_index, community_index = np.nonzero(allowed)
    graph = coo_matrix(
        (np.ones(unit_index.size), (unit_index, units + community_index)),
        shape=(units + communities, units + communities),
    )
    count, labels = connected_components(graph, directed=False)
    has_pair = np.zeros(count, dtype=bool)
    has_pair[labels[unit_index]] = True
    for label in np.flatnonzero(has_pair):
        members = np.flatnonzero(labels == label)
        yield members[members < units], members[members >= units] - units


def _solve_component(scores, rest: Remainder, units, communities) -> list[tuple[int, int]]:
    """Solve one component as a rectangular assignment; return (unit, community) pairs."""
    allowed = rest.allowed[np.ix_(units, communities)]
    score = np.where(allowed, scores[np.ix_(units, communities)], 0.0)
    # A unit never takes more communities than it may pair with, nor a community more
    # units than may pair with it: clipping keeps the expanded matrix small.
    capacity = np.minimum(rest.capacity[units], allowed.sum(axis=1))
    high = np.minimum(rest.max_quota[communities], allowed.sum(axis=0))
    low = rest.min_quota[communities]
    single = np.flatnonzero(capacity == 1)
    multi = np.flatnonzero(capacity > 1)

    slot_owner = np.repeat(np.arange(communities.size), high)
    slot_rank = np.arange(slot_owner.size) - np.repeat(np.cumsum(high) - high, high)
    optional = np.flatnonzero(slot_rank >= low[slot_owner])
    gate_unit, gate_community = np.nonzero(allowed[multi])
    gate_unit = multi[gate_unit]
    copies = np.repeat(multi, capacity[multi])

    # Single-capacity units reach every slot of each community they may pair with.
    unit_cost = -score[single]
    unit_cost[~allowed[single]] = np.inf
    unit_block = unit_cost[:, slot_owner]
    first_copy = single.size
    first_filler = first_copy + copies.size
    first_gate_column = slot_owner.size
    if first_filler == single.size and not optional.size:
        cost = unit_block  # the common case (capacities 1, min = max): nothing else to add
    else:
        cost = _expanded(unit_block, score, slot_owner, optional, copies, gate_unit, gate_community)

    row_index, column_index = _assign(cost)
    if not np.isfinite(cost[row_index, column_index]).all():
        raise RuntimeError("the assignment used a forbidden cell of a feasible problem")
    pairs = []
    for row, column in zip(row_index.tolist(), column_index.tolist(), strict=True):
        if row < single.size:
            pairs.append((single[row], slot_owner[column]))
        elif row < first_filler:
            gate = column - first_gate_column
            pairs.append((gate_unit[gate], gate_community[gate]))
    return [(int(units[u]), int(communities[c])) for u, c in pairs]


def _assign(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the minimum-cost assignment covering every column of ``cost``.

    Dense matrices go to ``linear_sum_assignment``; mostly forbidden ones (sparse
    instances) to its sparse sibling (LAPJVsp), which skips the forbidden cells that
    the dense algorithm scans on every step. Every full matching covers all columns,
    so shifting all allowed costs by one constant (to make them positive, as the
    sparse format needs) changes no optimum.
    """
    allowed = np.isfinite(cost)
    if not cost.size or allowed.mean() >= SPARSE_DENSITY:
        return linear_sum_assignment(cost)
    rows, columns = np.nonzero(allowed)
    values = cost[rows, columns]
    weights = csr_matrix((values - values.min() + 1.0, (rows, columns)), shape=cost.shape)
    return min_weight_full_bipartite_matching(weights)


def _expanded(unit_block, score, slot_owner, optional, copies, gate_unit, gate_community):
    """Add filler rows, copies of multi-capacity units and their gates to ``unit_block``."""
    single = unit_block.shape[0]
    rows = single + copies.size + optional.size + gate_unit.size
    columns = slot_owner.size + gate_unit.size
    cost = np.full((rows, columns), np.inf)
    cost[:single, : slot_owner.size] = unit_block
    # Copies of a multi-capacity unit reach the gates of that unit's pairs.
    first_filler = single + copies.size
    first_gate_column = slot_owner.size
    cost[single:first_filler, first_gate_column:] = np.where(
        copies[:, None] == gate_unit[None, :], -score[gate_unit, gate_community][None, :], np.inf
    )
    # Each optional slot has its own filler row: taking it leaves the slot empty.
    cost[first_filler + np.arange(optional.size), optional] = 0.0
    if gate_unit.size:
        bonus = -(2.0 * rows * (float(np.abs(score).max()) + 1.0))
        gate_rows = first_filler + optional.size + np.arange(gate_unit.size)
        cost[gate_rows, first_gate_column + np.arange(gate_unit.size)] = bonus
        cost[gate_rows, : slot_owner.size] = np.where(
            gate_community[:, None] == slot_owner[None, :], bonus, np.inf
        )
    return cost


def _verify(chosen, scores, capacity, low, high) -> None:
    """Check the answer against every rule; a failure here is a bug, not infeasibility."""
    if len(set(chosen)) != len(chosen):
        raise RuntimeError("a pair was chosen twice")
    units = np.bincount([u for u, _ in chosen], minlength=capacity.size)
    communities = np.bincount([c for _, c in chosen], minlength=low.size)
    forbidden = any(np.isnan(scores[u, c]) for u, c in chosen)
    if forbidden or (units > capacity).any() or (communities < low).any():
        raise RuntimeError("the assignment broke a rule of a feasible problem")
    if (communities > high).any():
        raise RuntimeError("the assignment broke a quota of a feasible problem")
