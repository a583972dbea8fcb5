"""The pairing problem and its answer, the JSON instance format, and input checks."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

__all__ = [
    "InvalidProblem",
    "PairingProblem",
    "PairingResult",
    "ProblemTooLarge",
    "ScoredPairs",
    "SolverFailed",
    "problem_from_instance",
    "result_to_json",
]


class InvalidProblem(ValueError):
    """The problem is malformed (shapes, negative quotas, unknown or duplicate ids)."""


class ProblemTooLarge(InvalidProblem):
    """The problem is well formed but needs more memory than the budget allows."""


class SolverFailed(RuntimeError):
    """A solver gave up on a well-formed problem and no other exact path fits the budget.

    Not a verdict on the problem: it may well be feasible (the message says so).
    """


@dataclass(frozen=True, eq=False)
class ScoredPairs:
    """The allowed pairs as parallel arrays of positions: the sparse form of ``scores``.

    Pair ``k`` is unit ``unit_ids[unit[k]]`` with community ``community_ids[community[k]]``
    at score ``score[k]``; a pair not listed is not allowed.
    """

    unit: np.ndarray
    community: np.ndarray
    score: np.ndarray

    @classmethod
    def from_ids(cls, triples, unit_ids, community_ids) -> ScoredPairs:
        """Build from ``(unit_id, community_id, score)`` triples; raise InvalidProblem."""
        units = {item: position for position, item in enumerate(unit_ids)}
        communities = {item: position for position, item in enumerate(community_ids)}
        size = len(triples)
        unit = np.empty(size, dtype=np.int64)
        community = np.empty(size, dtype=np.int64)
        score = np.empty(size)
        for position, triple in enumerate(triples):
            if not isinstance(triple, (tuple, list)) or len(triple) != 3:
                raise InvalidProblem(
                    f"“pairs”的每一项必须是 [单位编号, 社区编号, 分数]，收到 {triple!r}"
                )
            unit_id, community_id, value = triple
            if not isinstance(unit_id, str) or unit_id not in units:
                raise InvalidProblem(f"“pairs”中的单位编号不存在：{unit_id!r}")
            if not isinstance(community_id, str) or community_id not in communities:
                raise InvalidProblem(f"“pairs”中的社区编号不存在：{community_id!r}")
            if value is None:
                raise InvalidProblem(
                    f"“pairs”中的分数不能为空：{triple!r}（不允许的结对不列出即可）"
                )
            unit[position], community[position] = units[unit_id], communities[community_id]
            score[position] = _score(value)
        return cls(unit, community, score)


@dataclass(frozen=True, eq=False)
class PairingProblem:
    """Units with capacities, communities with quotas, and a score per allowed pair.

    The scores come in one of two forms. Dense: ``scores[i, j]`` is the score of unit
    ``unit_ids[i]`` with community ``community_ids[j]`` (higher is better), NaN forbidding
    the pair. Sparse: ``pairs`` lists the allowed pairs (a ``ScoredPairs`` or
    ``(unit_id, community_id, score)`` triples) and ``scores`` stays None. ``pinned``
    pairs must be in the answer; ``forbidden`` pairs are forbidden on top of those.
    """

    unit_ids: tuple[str, ...]
    community_ids: tuple[str, ...]
    scores: np.ndarray | None = None
    capacity: tuple[int, ...] = ()
    min_quota: tuple[int, ...] = ()
    max_quota: tuple[int, ...] = ()
    pinned: tuple[tuple[str, str], ...] = ()
    forbidden: tuple[tuple[str, str], ...] = ()
    pairs: ScoredPairs | tuple | list | None = None


@dataclass(frozen=True)
class PairingResult:
    """The optimal pairs and their total score, or why no pairing exists.

    ``infeasibility`` is the reason as data (see ``feasibility.Infeasible``); ``reason``
    is the same worded with the ids, for the command line.
    """

    status: Literal["optimal", "infeasible"]
    total_score: float | None
    pairs: tuple[tuple[str, str], ...]
    reason: str = ""
    short_communities: tuple[str, ...] = field(default=())
    infeasibility: Any = None


@dataclass(frozen=True)
class CheckedProblem:
    """A validated problem as index arrays (internal to the package).

    The allowed pairs (forbidden ones removed) are sorted by unit, then community;
    ``key = unit * n_communities + community`` is strictly increasing.
    """

    n_units: int
    n_communities: int
    unit: np.ndarray  # int64 per allowed pair
    community: np.ndarray  # int64 per allowed pair
    score: np.ndarray  # float per allowed pair
    capacity: np.ndarray  # int64, per unit
    min_quota: np.ndarray  # int64, per community
    max_quota: np.ndarray  # int64, per community
    pinned: tuple[tuple[int, int], ...]  # (unit index, community index), sorted, unique

    @property
    def key(self) -> np.ndarray:
        return self.unit * self.n_communities + self.community

    def pinned_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the pinned pairs as (unit indices, community indices)."""
        pairs = np.array(self.pinned, dtype=np.int64).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    def find(self, units, communities) -> np.ndarray:
        """Return each (unit, community)'s position in the pair list, or -1 if not allowed."""
        key = self.key
        wanted = np.asarray(units, dtype=np.int64) * self.n_communities + np.asarray(
            communities, dtype=np.int64
        )
        position = np.searchsorted(key, wanted)
        inside = position < key.size
        found = np.zeros(wanted.shape, dtype=bool)
        found[inside] = key[position[inside]] == wanted[inside]
        return np.where(found, position, -1)


def _counts(values, what: str) -> np.ndarray:
    """Return non-negative integers as an array; one check for the whole list when clean."""
    array = np.asarray(values)
    clean = array.ndim == 1 and array.dtype.kind in "iu" and (array.size == 0 or array.min() >= 0)
    if clean and not any(type(value) is bool for value in values):
        return array.astype(np.int64)
    return np.array([_count(v, what) for v in values], dtype=np.int64)


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


def _dense_pairs(problem: PairingProblem, shape: tuple[int, int]) -> ScoredPairs:
    try:
        scores = np.asarray(problem.scores, dtype=float)
    except (TypeError, ValueError) as error:
        raise InvalidProblem(f"分数矩阵必须是数字：{error}") from None
    if scores.shape != shape:
        raise InvalidProblem(
            f"分数矩阵的形状应为 {shape}（单位数 × 社区数），实际为 {scores.shape}"
        )
    unit, community = np.nonzero(~np.isnan(scores))
    return ScoredPairs(unit.astype(np.int64), community.astype(np.int64), scores[unit, community])


def _sparse_pairs(problem: PairingProblem, shape: tuple[int, int]) -> ScoredPairs:
    pairs = problem.pairs
    if not isinstance(pairs, ScoredPairs):
        if not isinstance(pairs, (tuple, list)):
            raise InvalidProblem("“pairs”必须是 [单位编号, 社区编号, 分数] 的列表")
        pairs = ScoredPairs.from_ids(pairs, problem.unit_ids, problem.community_ids)
    try:
        unit = np.asarray(pairs.unit, dtype=np.int64).ravel()
        community = np.asarray(pairs.community, dtype=np.int64).ravel()
        score = np.asarray(pairs.score, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise InvalidProblem(f"结对列表必须是数字：{error}") from None
    if not unit.size == community.size == score.size:
        raise InvalidProblem("结对列表的单位、社区和分数个数不一致")
    if unit.size and (unit.min() < 0 or unit.max() >= shape[0]):
        raise InvalidProblem("结对列表中的单位位置超出范围")
    if community.size and (community.min() < 0 or community.max() >= shape[1]):
        raise InvalidProblem("结对列表中的社区位置超出范围")
    if np.isnan(score).any():
        raise InvalidProblem("结对列表中的分数不能为空值；不允许的结对不列出即可")
    return ScoredPairs(unit, community, score)


def check_problem(problem: PairingProblem) -> CheckedProblem:
    """Validate ``problem`` and return it as index arrays; raise InvalidProblem if malformed."""
    units = _index(tuple(problem.unit_ids), "单位")
    communities = _index(tuple(problem.community_ids), "社区")
    shape = (len(units), len(communities))
    if (problem.scores is None) == (problem.pairs is None):
        raise InvalidProblem("实例必须给出“scores”（分数矩阵）或“pairs”（结对列表）之一")
    pairs = _dense_pairs(problem, shape) if problem.pairs is None else _sparse_pairs(problem, shape)
    if np.isinf(pairs.score).any():
        raise InvalidProblem("分数不能为无穷大；禁止的结对请用空值（NaN / null）")
    if len(problem.capacity) != len(units):
        raise InvalidProblem(f"单位容量应有 {len(units)} 个，实际为 {len(problem.capacity)} 个")
    if len(problem.min_quota) != len(communities) or len(problem.max_quota) != len(communities):
        raise InvalidProblem(f"社区的最少/最多结对数应各有 {len(communities)} 个")
    capacity = _counts(problem.capacity, "单位容量")
    low = _counts(problem.min_quota, "最少结对数")
    high = _counts(problem.max_quota, "最多结对数")
    for position in np.flatnonzero(low > high):
        raise InvalidProblem(
            f"社区 {problem.community_ids[position]} 的最少结对数 {low[position]} "
            f"大于最多结对数 {high[position]}"
        )
    key = pairs.unit * max(1, shape[1]) + pairs.community
    order = np.argsort(key, kind="stable")
    key = key[order]
    if key.size > 1 and (np.diff(key) == 0).any():
        twice = order[1:][np.diff(key) == 0][0]
        raise InvalidProblem(
            f"结对重复：{problem.unit_ids[pairs.unit[twice]]} 与 "
            f"{problem.community_ids[pairs.community[twice]]}"
        )
    unit, community, score = pairs.unit[order], pairs.community[order], pairs.score[order]
    forbidden = _pairs(problem.forbidden, units, communities, "禁止")
    if forbidden:
        banned = np.array([u * shape[1] + c for u, c in forbidden], dtype=np.int64)
        keep = ~np.isin(key, banned)
        unit, community, score = unit[keep], community[keep], score[keep]
    pinned = _pairs(problem.pinned, units, communities, "固定")
    return CheckedProblem(*shape, unit, community, score, capacity, low, high, pinned)


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
    """Build a problem from a JSON instance (see docs/pairing.md); raise InvalidProblem if bad.

    ``units`` entries take ``id`` and ``capacity`` (default 1); ``communities`` entries
    take ``id``, ``max`` and ``min`` (default 0). The scores come either as ``scores``
    (``scores[i][j]`` is unit i with community j, ``null`` forbidding the pair) or as
    ``pairs`` (``[unit_id, community_id, score]`` per allowed pair; a pair not listed is
    not allowed). ``pinned`` and ``forbidden`` (optional) list ``[unit_id,
    community_id]`` pairs.
    """
    if not isinstance(data, dict):
        raise InvalidProblem("实例必须是一个 JSON 对象")
    units = _entries(data, "units")
    communities = _entries(data, "communities")
    unit_ids = tuple(_field(unit, "id", "单位") for unit in units)
    community_ids = tuple(_field(community, "id", "社区") for community in communities)
    if ("scores" in data) == ("pairs" in data):
        raise InvalidProblem("实例必须给出“scores”（分数矩阵）或“pairs”（结对列表）之一")
    matrix, pairs = None, None
    if "pairs" in data:
        _index(unit_ids, "单位")
        _index(community_ids, "社区")
        pairs = ScoredPairs.from_ids(_entries(data, "pairs"), unit_ids, community_ids)
    else:
        rows = _entries(data, "scores")
        if len(rows) != len(units):
            raise InvalidProblem(
                f"“scores”应有 {len(units)} 行（每个单位一行），实际为 {len(rows)} 行"
            )
        matrix = np.full((len(units), len(communities)), np.nan)
        for position, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != len(communities):
                raise InvalidProblem(f"“scores”第 {position + 1} 行应有 {len(communities)} 个数")
            matrix[position] = [_score(value) for value in row]
    problem = PairingProblem(
        unit_ids=unit_ids,
        community_ids=community_ids,
        scores=matrix,
        capacity=tuple(_field(unit, "capacity", "单位", 1) for unit in units),
        min_quota=tuple(_field(community, "min", "社区", 0) for community in communities),
        max_quota=tuple(_field(community, "max", "社区") for community in communities),
        pinned=_pair_list(data, "pinned"),
        forbidden=_pair_list(data, "forbidden"),
        pairs=pairs,
    )
    check_problem(problem)
    return problem


def result_to_json(result: PairingResult) -> dict:
    """Return the JSON answer: status, total score and pairs, or status and reason."""
    if result.status == "optimal":
        return {
            "status": "optimal",
            "total_score": result.total_score,
            "pairs": [list(pair) for pair in result.pairs],
        }
    return {"status": "infeasible", "reason": result.reason}
