"""The same problem as an integer program for ``scipy.optimize.milp``: the reference optimum.

Used by the tests and the benchmark to check that ``solve`` is exact; far slower, so
never used to answer a reviewer.
"""

from __future__ import annotations

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


def solve_milp(problem: PairingProblem, time_limit: float | None = None) -> ReferenceResult:
    """Solve ``problem`` as a 0/1 integer program with HiGHS (via ``scipy.optimize.milp``)."""
    checked = check_problem(problem)
    unit_index, community_index, score = checked.unit, checked.community, checked.score
    count = unit_index.size
    units, communities = checked.n_units, checked.n_communities
    if checked.pinned and (checked.find(*checked.pinned_arrays()) < 0).any():
        return ReferenceResult("infeasible", None)
    if count == 0:
        feasible = not (checked.min_quota > 0).any()
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
