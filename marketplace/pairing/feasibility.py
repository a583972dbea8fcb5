"""Decide whether a pairing exists, and say why not in words a reviewer understands.

The checks run from the simplest cause to the most general one, so the reason names
the plainest fact that rules the pairing out: pinned pairs that break a rule, minimum
quotas above the units' total capacity, a community with too few allowed units, and
finally a maximum flow whose minimum cut names the group of communities that cannot
all reach their minimum together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from marketplace.pairing.problem import CheckedProblem


@dataclass(frozen=True)
class Remainder:
    """What is left to decide once the pinned pairs are fixed."""

    allowed: np.ndarray  # bool (units × communities): free to pair, pinned cells excluded
    capacity: np.ndarray  # per unit, pinned pairs deducted
    min_quota: np.ndarray  # per community, pinned pairs deducted (never below 0)
    max_quota: np.ndarray  # per community, pinned pairs deducted


@dataclass(frozen=True)
class Infeasible:
    reason: str
    short_communities: tuple[str, ...] = ()


def _names(ids, positions) -> str:
    return "、".join(ids[p] for p in positions)


def remainder(checked: CheckedProblem) -> Remainder:
    """Fix the pinned pairs: deduct them from capacities and quotas."""
    allowed = ~np.isnan(checked.scores)
    pinned_per_unit = np.zeros_like(checked.capacity)
    pinned_per_community = np.zeros_like(checked.min_quota)
    for unit, community in checked.pinned:
        allowed[unit, community] = False
        pinned_per_unit[unit] += 1
        pinned_per_community[community] += 1
    return Remainder(
        allowed=allowed,
        capacity=checked.capacity - pinned_per_unit,
        min_quota=np.maximum(checked.min_quota - pinned_per_community, 0),
        max_quota=checked.max_quota - pinned_per_community,
    )


def _pinned_conflict(checked, rest, unit_ids, community_ids) -> Infeasible | None:
    for unit, community in checked.pinned:
        if np.isnan(checked.scores[unit, community]):
            return Infeasible(
                f"单位 {unit_ids[unit]} 与社区 {community_ids[community]} 被固定结对，"
                "但这一结对被禁止"
            )
    for unit in np.flatnonzero(rest.capacity < 0):
        return Infeasible(
            f"单位 {unit_ids[unit]} 被固定到 {checked.capacity[unit] - rest.capacity[unit]} "
            f"个社区，超过它最多可结对的 {checked.capacity[unit]} 个"
        )
    over = np.flatnonzero(rest.max_quota < 0)
    if over.size:
        community = over[0]
        return Infeasible(
            f"社区 {community_ids[community]} 被固定了 "
            f"{checked.max_quota[community] - rest.max_quota[community]} 家单位，"
            f"超过它最多结对的 {checked.max_quota[community]} 家",
            tuple(community_ids[c] for c in over),
        )
    return None


def _hall_witness(rest: Remainder, community_ids) -> Infeasible | None:
    """Run a maximum flow; if it falls short, name the communities on the sink side."""
    units, communities = rest.allowed.shape
    source, sink = units + communities, units + communities + 1
    size = sink + 1
    unit_index, community_index = np.nonzero(rest.allowed)
    tails = np.concatenate([np.full(units, source), unit_index, units + np.arange(communities)])
    heads = np.concatenate([np.arange(units), units + community_index, np.full(communities, sink)])
    capacities = np.concatenate(
        [rest.capacity, np.ones(unit_index.size, dtype=np.int64), rest.min_quota]
    ).astype(np.int32)
    graph = csr_matrix(coo_matrix((capacities, (tails, heads)), shape=(size, size)))
    flow = maximum_flow(graph, source, sink)
    needed = int(rest.min_quota.sum())
    if flow.flow_value >= needed:
        return None
    # Nodes that can still reach the sink in the residual graph form the smallest
    # minimum cut; its communities are the group that cannot reach their minimum.
    residual = (graph - flow.flow).tocsr()
    residual.data = (residual.data > 0).astype(np.int8)
    residual.eliminate_zeros()
    reaching = breadth_first_order(residual.T.tocsr(), sink, directed=True)[0]
    short = np.sort(reaching[(reaching >= units) & (reaching < units + communities)] - units)
    members = rest.allowed[:, short]
    per_unit = np.minimum(rest.capacity, members.sum(axis=1))
    offered = int(per_unit.sum())
    lacking = int(rest.min_quota[short].sum())
    names = _names(community_ids, short)
    if short.size == 1:
        reason = (
            f"社区 {names} 至少还需要 {lacking} 家单位，但可与它结对且尚有余量的单位"
            f"最多只能提供 {offered} 个结对"
        )
    else:
        reason = (
            f"社区 {names} 合计至少还需要 {lacking} 家单位，但可与它们结对的单位"
            f"最多只能提供 {offered} 个结对，无法同时达到最少结对数"
        )
    return Infeasible(reason, tuple(community_ids[c] for c in short))


def find_infeasibility(
    checked: CheckedProblem, rest: Remainder, unit_ids, community_ids
) -> Infeasible | None:
    """Return why no pairing satisfies every rule, or None when one exists."""
    conflict = _pinned_conflict(checked, rest, unit_ids, community_ids)
    if conflict:
        return conflict
    total_min, total_capacity = int(checked.min_quota.sum()), int(checked.capacity.sum())
    if total_min > total_capacity:
        return Infeasible(
            f"各社区最少结对数合计 {total_min}，但单位最多只能提供 {total_capacity} 个结对"
        )
    allowed_units = (~np.isnan(checked.scores)).sum(axis=0)
    short = np.flatnonzero(allowed_units < checked.min_quota)
    if short.size:
        details = "；".join(
            f"社区 {community_ids[c]} 至少需要 {checked.min_quota[c]} 家单位，"
            f"但只有 {allowed_units[c]} 家单位允许与其结对"
            for c in short
        )
        return Infeasible(details, tuple(community_ids[c] for c in short))
    if rest.min_quota.sum() == 0 or _greedy_meets_minimums(rest):
        return None
    return _hall_witness(rest, community_ids)


def _greedy_meets_minimums(rest: Remainder) -> bool:
    """Try to meet every minimum greedily: a fast proof of feasibility, or inconclusive.

    Communities with the largest minimum go first and take the allowed units with the
    most capacity left. Success proves a pairing exists; failure proves nothing, and
    the maximum flow decides (and explains).
    """
    remaining = rest.capacity.copy()
    for community in np.argsort(-rest.min_quota, kind="stable"):
        needed = rest.min_quota[community]
        if needed == 0:
            break
        candidates = np.flatnonzero(rest.allowed[:, community] & (remaining > 0))
        if candidates.size < needed:
            return False
        taken = candidates[np.argsort(-remaining[candidates], kind="stable")[:needed]]
        remaining[taken] -= 1
    return True
