"""Word an ``Infeasible`` record in Chinese, with labels the caller chooses.

The optimizer knows only ids; the command line words a reason with them as they are,
and the services with the units' and communities' names. Either way the wording lives
here, once, and nobody parses it back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from marketplace.pairing import feasibility as cause
from marketplace.pairing.feasibility import Infeasible

Label = Callable[[Sequence[str]], str]


def _units_by_id(ids: Sequence[str]) -> str:
    return f"单位 {'、'.join(ids)}"


def _communities_by_id(ids: Sequence[str]) -> str:
    return f"社区 {'、'.join(ids)}"


def describe(
    infeasible: Infeasible,
    units: Label = _units_by_id,
    communities: Label = _communities_by_id,
) -> str:
    """Return why no pairing exists, naming units and communities with the labels given."""
    kind = infeasible.cause
    if kind == cause.PINNED_FORBIDDEN:
        return (
            f"{units(infeasible.units)} 与{communities(infeasible.communities)} 被固定结对，"
            "但这一结对被禁止"
        )
    if kind == cause.UNIT_OVER_PINNED:
        return (
            f"{units(infeasible.units)} 被固定到 {infeasible.needed} 个社区，"
            f"超过它最多可结对的 {infeasible.limit} 个"
        )
    if kind == cause.COMMUNITY_OVER_PINNED:
        return (
            f"{communities(infeasible.communities)} 被固定了 {infeasible.needed} 家单位，"
            f"超过它最多结对的 {infeasible.limit} 家"
        )
    if kind == cause.CAPACITY_TOTAL:
        return (
            f"各社区最少结对数合计 {infeasible.needed}，"
            f"但单位最多只能提供 {infeasible.available} 个结对"
        )
    if kind == cause.TOO_FEW_ALLOWED:
        return "；".join(
            f"{communities([community])} 至少需要 {needed} 家单位，"
            f"但只有 {allowed} 家单位允许与其结对"
            for community, needed, allowed in infeasible.counts
        )
    if kind == cause.GROUP_SHORT:
        if len(infeasible.communities) == 1:
            return (
                f"{communities(infeasible.communities)} 至少还需要 {infeasible.needed} 家单位，"
                f"但可与它结对且尚有余量的单位最多只能提供 {infeasible.available} 个结对"
            )
        return (
            f"{communities(infeasible.communities)} 合计至少还需要 {infeasible.needed} 家单位，"
            f"但可与它们结对的单位最多只能提供 {infeasible.available} 个结对，"
            "无法同时达到最少结对数"
        )
    if kind == cause.CHANGE_LIMIT:
        return (
            f"在“最多调整 {infeasible.limit} 对”的限制下无法同时满足配额、固定与禁止条件"
            f"（上一版共 {infeasible.available} 对），请放宽调整上限或检查禁止结对"
        )
    return "在这些条件下无法完成结对"
