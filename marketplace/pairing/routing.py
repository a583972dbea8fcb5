"""Which path solves an instance, decided by a memory model of what each path builds.

The assignment path expands the problem into one assignment: a row per unit of
capacity 1, ``capacity`` rows per unit of larger capacity, a filler row per optional
slot and a *gate* row per allowed pair of a multi-capacity unit; a column per
community slot and a gate column per such pair (``solver`` explains the gadget). The
priced LP keeps a handful of arrays per allowed pair and a HiGHS model over the
candidate pairs. Both are counted here, every row and column included, so that an
instance never starts down a path that would exhaust memory: it takes the assignment
while that is small (it is then the fastest), the LP otherwise, and an instance too
big for either within the budget is refused with ``ProblemTooLarge`` before anything
large is allocated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marketplace.pairing.feasibility import Remainder
from marketplace.pairing.problem import ProblemTooLarge

MIB = 1024 * 1024
# The default memory budget of one solve (the app's PAIRING_MEMORY_BUDGET_MB sets it).
DEFAULT_BUDGET = 1024 * MIB
# Above this many cells (rows × columns of the expanded assignment, gates included)
# the priced LP is faster (county at capacity 1: 88 × 88 cells, assignment; county with
# capacities 1-3: about 700,000 cells with its gates, LP; city: 4,000 × 4,000, LP).
LARGE_CELLS = 200_000
# Bytes per cell of a dense expanded matrix (the cost matrix, its copy in SciPy, masks).
DENSE_CELL_BYTES = 24
# Bytes per edge of a sparse expanded matrix (COO indices and values, then CSR).
SPARSE_EDGE_BYTES = 48
# Bytes per allowed pair on the LP path (pair arrays, ranks, reduced costs, and the
# HiGHS column with its two nonzeros should every pair enter), and per row.
LP_PAIR_BYTES = 320
LP_ROW_BYTES = 400


@dataclass(frozen=True)
class Expansion:
    """The size of the expanded assignment of an instance."""

    rows: int
    columns: int
    edges: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


@dataclass(frozen=True)
class Route:
    path: str  # "none" (no free pair), "assignment" or "lp"
    assignment_bytes: int
    lp_bytes: int
    cells: int = 0  # of the expanded assignment


def usable(rest: Remainder) -> np.ndarray:
    """Mark the free pairs that can be used at all (unit capacity and community room left)."""
    return (rest.capacity[rest.unit] > 0) & (rest.max_quota[rest.community] > 0)


def expansion(rest: Remainder, mask: np.ndarray | None = None) -> Expansion:
    """Count the rows, columns and edges of the expanded assignment of ``rest``."""
    mask = usable(rest) if mask is None else mask
    unit, community = rest.unit[mask], rest.community[mask]
    per_unit = np.bincount(unit, minlength=rest.n_units)
    per_community = np.bincount(community, minlength=rest.n_communities)
    capacity = np.minimum(rest.capacity, per_unit)
    high = np.minimum(rest.max_quota, per_community).clip(0)
    low = np.minimum(rest.min_quota, high)
    multi_pair = capacity[unit] > 1
    gates = int(multi_pair.sum())
    singles = int((capacity == 1).sum())
    copies = int(capacity[capacity > 1].sum())
    slots = int(high.sum())
    optional = int((high - low).sum())
    edges = (
        int(high[community[~multi_pair]].sum())  # single units to every slot of a community
        + int((capacity * per_unit)[capacity > 1].sum())  # copies to their unit's gates
        + optional  # fillers
        + gates
        + int(high[community[multi_pair]].sum())  # gate rows to their gate and slots
    )
    return Expansion(singles + copies + optional + gates, slots + gates, edges)


def assignment_bytes(size: Expansion) -> int:
    """Bytes the assignment path needs (the denser of its two forms, to be safe)."""
    return max(size.cells * DENSE_CELL_BYTES, size.edges * SPARSE_EDGE_BYTES)


def sparse_assignment_bytes(size: Expansion) -> int:
    """Bytes the assignment path needs when it keeps every matrix sparse."""
    return size.edges * SPARSE_EDGE_BYTES


def lp_bytes(rest: Remainder) -> int:
    return rest.unit.size * LP_PAIR_BYTES + (rest.n_units + rest.n_communities) * LP_ROW_BYTES


def route(rest: Remainder, budget: int = DEFAULT_BUDGET) -> Route:
    """Pick the path for ``rest``; raise ProblemTooLarge if neither fits ``budget`` bytes."""
    mask = usable(rest)
    if not mask.any():
        return Route("none", 0, 0)
    size = expansion(rest, mask)
    by_assignment, by_lp = assignment_bytes(size), lp_bytes(rest)
    if size.cells <= LARGE_CELLS and by_assignment <= budget:
        return Route("assignment", by_assignment, by_lp, size.cells)
    if by_lp <= budget:
        return Route("lp", by_assignment, by_lp, size.cells)
    raise too_large(rest, min(by_lp, by_assignment), budget)


def too_large(rest: Remainder, needed: int, budget: int) -> ProblemTooLarge:
    return ProblemTooLarge(
        f"实例太大：{rest.n_units} 个单位、{rest.n_communities} 个社区、"
        f"{rest.unit.size} 个可结对组合，求解约需 {needed / MIB:.0f} MB 内存，"
        f"超过预算 {budget / MIB:.0f} MB。请缩小候选范围（例如每个单位只取最近的若干社区）"
        "或提高内存预算"
    )
