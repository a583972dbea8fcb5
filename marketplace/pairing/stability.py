"""Stability of a pairing: blocking pairs, and the stable plan by deferred acceptance.

A unit and a community *block* a plan when they are not paired, may pair, and each
would rather have the other than its worst partner (or has room left): the unit's
capacity is not used up or the pair scores above the unit's lowest-scoring pair, and
likewise for the community's maximum. Both sides rank by the one pair score.

``stable_pairs`` runs deferred acceptance (Gale–Shapley, many-to-many with the
capacities and maxima; pinned pairs are fixed first, forbidden ones never proposed)
with units or communities proposing. Its plan has no blocking pair, but it ignores
minimum quotas and maximises no total: comparing it with the optimum shows what the
optimum gives up in stability and what stability costs in score. With one score for
both sides and no ties, the two proposing sides reach the same plan.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from marketplace.pairing.feasibility import remainder
from marketplace.pairing.problem import InvalidProblem, PairingProblem, check_problem

PROPOSERS = ("units", "communities")


@dataclass(frozen=True)
class StablePlan:
    pairs: tuple[tuple[str, str], ...]
    total_score: float
    proposing: str
    below_minimum: tuple[str, ...]  # communities the stable plan leaves under their minimum


def _positions(checked, problem: PairingProblem, pairs) -> np.ndarray:
    units = {item: i for i, item in enumerate(problem.unit_ids)}
    communities = {item: j for j, item in enumerate(problem.community_ids)}
    wanted = [(units.get(u, -1), communities.get(c, -1)) for u, c in pairs]
    if any(u < 0 or c < 0 for u, c in wanted):
        raise InvalidProblem("方案中有不属于本实例的单位或社区")
    array = np.array(wanted, dtype=np.int64).reshape(-1, 2)
    return checked.find(array[:, 0], array[:, 1])


def _worst(side, score, taken, limit):
    """Per member of ``side``: the lowest chosen score if full, -inf if it has room."""
    count = np.bincount(side[taken], minlength=limit.size)
    lowest = np.full(limit.size, np.inf)
    np.minimum.at(lowest, side[taken], score[taken])
    return np.where(count >= limit, lowest, -np.inf)


def blocking_pairs(problem: PairingProblem, pairs) -> list[tuple[str, str, float]]:
    """Return the (unit id, community id, score) pairs that block ``pairs``, best first."""
    checked = check_problem(problem)
    chosen = _positions(checked, problem, pairs)
    taken = np.zeros(checked.unit.size, dtype=bool)
    taken[chosen[chosen >= 0]] = True
    unit_worst = _worst(checked.unit, checked.score, taken, checked.capacity)
    community_worst = _worst(checked.community, checked.score, taken, checked.max_quota)
    blocking = (
        ~taken
        & (checked.score > unit_worst[checked.unit])
        & (checked.score > community_worst[checked.community])
    )
    found = np.flatnonzero(blocking)
    found = found[np.argsort(-checked.score[found], kind="stable")]
    return [
        (
            problem.unit_ids[checked.unit[k]],
            problem.community_ids[checked.community[k]],
            float(checked.score[k]),
        )
        for k in found.tolist()
    ]


def stable_pairs(problem: PairingProblem, proposing: str = "units") -> StablePlan:
    """Return the stable plan found by deferred acceptance with ``proposing`` proposing."""
    if proposing not in PROPOSERS:
        raise InvalidProblem("提议方必须是 units（单位）或 communities（社区）")
    checked = check_problem(problem)
    rest = remainder(checked)
    if proposing == "units":
        mine, theirs, my_limit, their_limit = (
            rest.unit,
            rest.community,
            rest.capacity,
            rest.max_quota,
        )
    else:
        mine, theirs, my_limit, their_limit = (
            rest.community,
            rest.unit,
            rest.max_quota,
            rest.capacity,
        )
    held = _deferred_acceptance(mine, theirs, rest.score, my_limit.clip(0), their_limit.clip(0))
    chosen = np.concatenate([rest.origin[held], checked.find(*checked.pinned_arrays())]).astype(
        np.int64
    )
    per_community = np.bincount(checked.community[chosen], minlength=checked.n_communities)
    below = np.flatnonzero(per_community < checked.min_quota)
    pairs = sorted(
        (problem.unit_ids[u], problem.community_ids[c])
        for u, c in zip(
            checked.unit[chosen].tolist(), checked.community[chosen].tolist(), strict=True
        )
    )
    return StablePlan(
        pairs=tuple(pairs),
        total_score=float(np.sort(checked.score[chosen]).sum()),
        proposing=proposing,
        below_minimum=tuple(problem.community_ids[c] for c in below),
    )


def _deferred_acceptance(mine, theirs, score, my_limit, their_limit) -> np.ndarray:
    """Return the positions of the pairs held at the end (proposers ``mine``)."""
    # Each proposer's pairs, best first (ties: the lower index of the other side).
    order = np.lexsort((theirs, -score, mine))
    starts = np.searchsorted(mine[order], np.arange(my_limit.size + 1))
    following = starts[:-1].copy()  # next pair each proposer will propose
    holding = np.zeros(my_limit.size, dtype=np.int64)
    kept: list[list[tuple[float, int, int]]] = [[] for _ in range(their_limit.size)]
    waiting = [p for p in range(my_limit.size) if my_limit[p] > 0]
    while waiting:
        proposer = waiting.pop()
        while holding[proposer] < my_limit[proposer] and following[proposer] < starts[proposer + 1]:
            pair = int(order[following[proposer]])
            following[proposer] += 1
            receiver = int(theirs[pair])
            if their_limit[receiver] == 0:
                continue
            # A receiver keeps its best proposals: a min-heap of (score, -proposer).
            entry = (float(score[pair]), -proposer, pair)
            heap = kept[receiver]
            if len(heap) < their_limit[receiver]:
                heapq.heappush(heap, entry)
                holding[proposer] += 1
            elif entry > heap[0]:
                rejected = heapq.heapreplace(heap, entry)
                holding[proposer] += 1
                loser = -rejected[1]
                holding[loser] -= 1
                waiting.append(loser)
    return np.array(sorted(pair for heap in kept for _, _, pair in heap), dtype=np.int64)
