"""The same problem as an integer program for ``scipy.optimize.milp``: the reference optimum.

Used by the tests and the benchmark to check that ``solve`` is exact, and by
``churn.solve_with_change_limit`` for the one side constraint the assignment cannot carry
(keep at least so many of the published pairs).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from marketplace.pairing.problem import PairingProblem, check_problem


@dataclass(frozen=True)
class ReferenceResult:
    status: str  # "optimal", "infeasible" or "unfinished" (time limit reached)
    total_score: float | None
    pairs: tuple[tuple[str, str], ...] = ()


def solve_milp(
    problem: PairingProblem,
    time_limit: float | None = None,
    *,
    keep: Collection[tuple[str, str]] = (),
    keep_at_least: int = 0,
) -> ReferenceResult:
    """Solve ``problem`` as a 0/1 integer program with HiGHS (via ``scipy.optimize.milp``).

    With ``keep_at_least`` > 0, at least that many of the ``keep`` pairs must be chosen.
    """
    checked = check_problem(problem)
    unit_index, community_index, score = checked.unit, checked.community, checked.score
    count = unit_index.size
    units, communities = checked.n_units, checked.n_communities
    if checked.pinned and (checked.find(*checked.pinned_arrays()) < 0).any():
        return ReferenceResult("infeasible", None)
    if count == 0:
        feasible = not (checked.min_quota > 0).any() and keep_at_least <= 0
        return ReferenceResult("optimal", 0.0) if feasible else ReferenceResult("infeasible", None)
    lower = np.zeros(count)
    if checked.pinned:
        lower[checked.find(*checked.pinned_arrays())] = 1.0
    variables = np.arange(count)
    by_unit = coo_matrix((np.ones(count), (unit_index, variables)), shape=(units, count))
    by_community = coo_matrix(
        (np.ones(count), (community_index, variables)), shape=(communities, count)
    )
    constraints = [
        LinearConstraint(by_unit.tocsr(), -np.inf, checked.capacity),
        LinearConstraint(by_community.tocsr(), checked.min_quota, checked.max_quota),
    ]
    if keep_at_least > 0:
        positions = {(u, c): i for i, (u, c) in enumerate(problem_index_pairs(problem, keep))}
        kept = np.array(
            [(u, c) in positions for u, c in zip(unit_index, community_index, strict=True)],
            dtype=float,
        )
        if kept.sum() < keep_at_least:
            return ReferenceResult("infeasible", None)
        constraints.append(LinearConstraint(kept[None, :], keep_at_least, np.inf))
    options = {"time_limit": time_limit} if time_limit else {}
    result = milp(
        -score,
        integrality=np.ones(count),
        bounds=Bounds(lower, np.ones(count)),
        constraints=constraints,
        options=options,
    )
    if result.status == 2:
        return ReferenceResult("infeasible", None)
    if result.status != 0 or result.x is None:
        return ReferenceResult("unfinished", None)
    taken = np.flatnonzero(result.x > 0.5)
    pairs = sorted(
        (problem.unit_ids[unit_index[v]], problem.community_ids[community_index[v]]) for v in taken
    )
    total = float(score[taken].sum())
    return ReferenceResult("optimal", total, tuple(pairs))


def problem_index_pairs(problem: PairingProblem, pairs: Collection[tuple[str, str]]):
    """Return the (unit index, community index) of the ``pairs`` whose ids the problem has."""
    units = {unit_id: i for i, unit_id in enumerate(problem.unit_ids)}
    communities = {community_id: j for j, community_id in enumerate(problem.community_ids)}
    return [(units[u], communities[c]) for u, c in pairs if u in units and c in communities]
