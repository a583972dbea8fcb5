"""The pairing problem and its answer, the DESIGN §5 instance format, and input checks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = [
    "InvalidProblem",
    "PairingProblem",
    "PairingResult",
    "problem_from_instance",
    "result_to_json",
]


class InvalidProblem(ValueError):
    """The problem is malformed (shapes, negative quotas, unknown or duplicate ids)."""


@dataclass(frozen=True, eq=False)
class PairingProblem:
    """Units with capacities, communities with quotas, and a score per pair.

    ``scores[i, j]`` is the score of unit ``unit_ids[i]`` with community
    ``community_ids[j]`` (higher is better); NaN forbids the pair. ``pinned`` pairs must
    be in the answer; ``forbidden`` pairs are forbidden on top of the NaN cells.
    """

    unit_ids: tuple[str, ...]
    community_ids: tuple[str, ...]
    scores: np.ndarray
    capacity: tuple[int, ...]
    min_quota: tuple[int, ...]
    max_quota: tuple[int, ...]
    pinned: tuple[tuple[str, str], ...] = ()
    forbidden: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PairingResult:
    """The optimal pairs and their total score, or why no pairing exists."""

    status: Literal["optimal", "infeasible"]
    total_score: float | None
    pairs: tuple[tuple[str, str], ...]
    reason: str = ""
    short_communities: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CheckedProblem:
    """A validated problem as index arrays (internal to the package)."""

    scores: np.ndarray  # float, NaN where forbidden (explicit list merged in)
    capacity: np.ndarray  # int64, per unit
    min_quota: np.ndarray  # int64, per community
    max_quota: np.ndarray  # int64, per community
    pinned: tuple[tuple[int, int], ...]  # (unit index, community index), sorted, unique


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidProblem(f"{what}必须是整数，收到 {value!r}")
    if value < 0:
        raise InvalidProblem(f"{what}不能为负数，收到 {value}")
    return int(value)


def _index(ids: tuple[str, ...], what: str) -> dict[str, int]:
    for item in ids:
        if not isinstance(item, str) or not item:
            raise InvalidProblem(f"{what}编号必须是非空字符串，收到 {item!r}")
    index = {item: position for position, item in enumerate(ids)}
    if len(index) != len(ids):
        duplicates = sorted({item for item in ids if ids.count(item) > 1})
        raise InvalidProblem(f"{what}编号重复：{'、'.join(duplicates)}")
    return index


def _pairs(pairs, units: dict[str, int], communities: dict[str, int], what: str):
    indices = set()
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InvalidProblem(f"{what}结对必须是 [单位编号, 社区编号]，收到 {pair!r}")
        unit_id, community_id = pair
        if not isinstance(unit_id, str) or unit_id not in units:
            raise InvalidProblem(f"{what}结对中的单位编号不存在：{unit_id!r}")
        if not isinstance(community_id, str) or community_id not in communities:
            raise InvalidProblem(f"{what}结对中的社区编号不存在：{community_id!r}")
        indices.add((units[unit_id], communities[community_id]))
    return tuple(sorted(indices))


def check_problem(problem: PairingProblem) -> CheckedProblem:
    """Validate ``problem`` and return it as index arrays; raise InvalidProblem if malformed."""
    units = _index(tuple(problem.unit_ids), "单位")
    communities = _index(tuple(problem.community_ids), "社区")
    try:
        scores = np.array(problem.scores, dtype=float)
    except (TypeError, ValueError) as error:
        raise InvalidProblem(f"分数矩阵必须是数字：{error}") from None
    shape = (len(units), len(communities))
    if scores.shape != shape:
        raise InvalidProblem(
            f"分数矩阵的形状应为 {shape}（单位数 × 社区数），实际为 {scores.shape}"
        )
    if np.isinf(scores).any():
        raise InvalidProblem("分数不能为无穷大；禁止的结对请用空值（NaN / null）")
    if len(problem.capacity) != len(units):
        raise InvalidProblem(f"单位容量应有 {len(units)} 个，实际为 {len(problem.capacity)} 个")
    if len(problem.min_quota) != len(communities) or len(problem.max_quota) != len(communities):
        raise InvalidProblem(f"社区的最少/最多结对数应各有 {len(communities)} 个")
    capacity = np.array([_count(v, "单位容量") for v in problem.capacity], dtype=np.int64)
    low = np.array([_count(v, "最少结对数") for v in problem.min_quota], dtype=np.int64)
    high = np.array([_count(v, "最多结对数") for v in problem.max_quota], dtype=np.int64)
    for position in np.flatnonzero(low > high):
        raise InvalidProblem(
            f"社区 {problem.community_ids[position]} 的最少结对数 {low[position]} "
            f"大于最多结对数 {high[position]}"
        )
    for unit, community in _pairs(problem.forbidden, units, communities, "禁止"):
        scores[unit, community] = np.nan
    pinned = _pairs(problem.pinned, units, communities, "固定")
    return CheckedProblem(scores, capacity, low, high, pinned)


def _score(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidProblem(f"分数必须是数字或 null，收到 {value!r}")
    if not math.isfinite(value):
        raise InvalidProblem(f"分数必须是有限的数字，收到 {value!r}")
    return float(value)


def _entries(data: dict, key: str, required: bool = True) -> list:
    if key not in data:
        if required:
            raise InvalidProblem(f"实例缺少“{key}”")
        return []
    value = data[key]
    if not isinstance(value, list):
        raise InvalidProblem(f"实例的“{key}”必须是列表")
    return value


def _field(entry: Any, key: str, what: str, default: Any = None) -> Any:
    if not isinstance(entry, dict):
        raise InvalidProblem(f"{what}必须是对象，收到 {entry!r}")
    if key not in entry:
        if default is None:
            raise InvalidProblem(f"{what}缺少“{key}”：{entry!r}")
        return default
    return entry[key]


def _pair_list(data: dict, key: str) -> tuple:
    return tuple(
        tuple(pair) if isinstance(pair, list) else pair
        for pair in _entries(data, key, required=False)
    )


def problem_from_instance(data: dict) -> PairingProblem:
    """Build a problem from a DESIGN §5 JSON instance; raise InvalidProblem if malformed.

    ``units`` entries take ``id`` and ``capacity`` (default 1); ``communities`` entries
    take ``id``, ``max`` and ``min`` (default 0); ``scores[i][j]`` is unit i with
    community j, ``null`` forbidding the pair; ``pinned`` and ``forbidden`` (optional)
    list ``[unit_id, community_id]`` pairs.
    """
    if not isinstance(data, dict):
        raise InvalidProblem("实例必须是一个 JSON 对象")
    units = _entries(data, "units")
    communities = _entries(data, "communities")
    rows = _entries(data, "scores")
    if len(rows) != len(units):
        raise InvalidProblem(f"“scores”应有 {len(units)} 行（每个单位一行），实际为 {len(rows)} 行")
    matrix = np.full((len(units), len(communities)), np.nan)
    for position, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(communities):
            raise InvalidProblem(f"“scores”第 {position + 1} 行应有 {len(communities)} 个数")
        matrix[position] = [_score(value) for value in row]
    problem = PairingProblem(
        unit_ids=tuple(_field(unit, "id", "单位") for unit in units),
        community_ids=tuple(_field(community, "id", "社区") for community in communities),
        scores=matrix,
        capacity=tuple(_field(unit, "capacity", "单位", 1) for unit in units),
        min_quota=tuple(_field(community, "min", "社区", 0) for community in communities),
        max_quota=tuple(_field(community, "max", "社区") for community in communities),
        pinned=_pair_list(data, "pinned"),
        forbidden=_pair_list(data, "forbidden"),
    )
    check_problem(problem)
    return problem


def result_to_json(result: PairingResult) -> dict:
    """Return the DESIGN §5 answer: status, total score and pairs, or status and reason."""
    if result.status == "optimal":
        return {
            "status": "optimal",
            "total_score": result.total_score,
            "pairs": [list(pair) for pair in result.pairs],
        }
    return {"status": "infeasible", "reason": result.reason}
