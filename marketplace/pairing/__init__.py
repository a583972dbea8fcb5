"""The pairing optimizer: a pure module (numpy and scipy only, never Flask or a database).

``solve(problem)`` returns the unit↔community pairs of maximum total score under unit
capacities, community quotas, forbidden and pinned pairs, or an infeasible
result that says why (as data, worded by ``reasons.describe``). Scores come as a
dense matrix or as a list of allowed pairs (``ScoredPairs``); an instance too large
for the memory budget raises ``ProblemTooLarge``. ``python -m marketplace.pairing solve
FILE`` runs it on a JSON instance.
"""

from marketplace.pairing.problem import (
    InvalidProblem,
    PairingProblem,
    PairingResult,
    ProblemTooLarge,
    ScoredPairs,
    SolverFailed,
    problem_from_instance,
    result_to_json,
)


def __getattr__(name: str):
    # The solver pulls in SciPy and HiGHS (~1.5 s): import it on first use, so every
    # `flask` command and web worker that never pairs does not pay for it.
    if name == "solve":
        from marketplace.pairing.solver import solve

        return solve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "InvalidProblem",
    "PairingProblem",
    "PairingResult",
    "ProblemTooLarge",
    "ScoredPairs",
    "SolverFailed",
    "problem_from_instance",
    "result_to_json",
    "solve",
]
