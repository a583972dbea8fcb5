"""Optimal pairing that changes at most so many of the published plan's pairs.

The seeds describe stable pairs agreed with the communities; re-running the optimizer
freely can move a third of them. A reviewer may therefore cap the changes: at most
``max_changes`` of the previous plan's pairs may be dropped. That is one side constraint
on the b-matching, which breaks the assignment structure, so a capped run that the free
optimum does not already satisfy is solved as the integer program of
``reference.solve_milp`` with the constraint added — still exact.
"""

from __future__ import annotations

from collections.abc import Collection

from marketplace.pairing.feasibility import CHANGE_LIMIT, Infeasible
from marketplace.pairing.problem import PairingProblem, PairingResult
from marketplace.pairing.reasons import describe

__all__ = ["ChangeLimitUnfinished", "dropped_pairs", "solve_with_change_limit"]

TIME_LIMIT_SECONDS = 60.0


class ChangeLimitUnfinished(RuntimeError):
    """The capped program did not finish within its time limit."""


def dropped_pairs(
    previous: Collection[tuple[str, str]], pairs: Collection[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Return the previous pairs that ``pairs`` no longer holds."""
    return set(previous) - set(pairs)


def solve_with_change_limit(
    problem: PairingProblem,
    previous: Collection[tuple[str, str]],
    max_changes: int,
    *,
    time_limit: float = TIME_LIMIT_SECONDS,
    memory_budget: int | None = None,
) -> PairingResult:
    """Return the best pairs that drop at most ``max_changes`` of the ``previous`` pairs.

    Parameters
    ----------
    problem : PairingProblem
        The unconstrained problem.
    previous : collection of (unit id, community id)
        The published plan's pairs; pairs whose unit or community is gone count as
        dropped whatever the answer.
    max_changes : int
        How many previous pairs may be dropped (>= 0).
    time_limit : float
        Seconds the capped integer program may take.
    memory_budget : int, optional
        Bytes the free solve may use (see ``solve``).

    Returns
    -------
    PairingResult
        The optimum under the cap, or ``infeasible`` when the cap cannot be met together
        with the quotas, pins and forbidden pairs.

    Raises
    ------
    ValueError
        When ``max_changes`` is negative.
    ChangeLimitUnfinished
        When the capped program hits its time limit.
    """
    from marketplace.pairing.reference import solve_milp  # SciPy on first use
    from marketplace.pairing.solver import solve

    # SciPy loads on first use, not when the app starts (CLI start-up time).

    if max_changes < 0:
        raise ValueError("max_changes must be >= 0")
    previous = set(previous)
    free = solve(problem, memory_budget=memory_budget)
    if free.status != "optimal" or len(dropped_pairs(previous, free.pairs)) <= max_changes:
        return free
    capped = solve_milp(
        problem, time_limit, keep=previous, keep_at_least=len(previous) - max_changes
    )
    if capped.status == "unfinished":
        raise ChangeLimitUnfinished(f"capped pairing unfinished after {time_limit} s")
    if capped.status == "infeasible":
        reason = Infeasible(CHANGE_LIMIT, limit=max_changes, available=len(previous))
        return PairingResult(
            status="infeasible",
            total_score=None,
            pairs=(),
            reason=describe(reason),
            infeasibility=reason,
        )
    return PairingResult(status="optimal", total_score=capped.total_score, pairs=capped.pairs)
