"""A pairing plan's inputs: quotas, capacities, weights, forbidden and pinned pairs.

They are parsed from JSON (the API, a stored plan) or a form, validated, stored with the
plan (so it can be explained and re-run) and turned into the optimizer's problem.
"""

from dataclasses import asdict, dataclass, field, replace

from marketplace.errors import DomainError, InvalidInput
from marketplace.pairing.scoring import SCORE_PARTS
from marketplace.services.fields import PLAN
from marketplace.services.pairing.pairing_scores import ScoreWeights

DEFAULT_QUOTA = (8, 8)
DEFAULT_CAPACITY = 1
MAX_QUOTA = 10_000
WEIGHT_NAMES = SCORE_PARTS  # one weight per score part


class PlanInfeasible(DomainError):
    """The optimizer found no plan; ``community_ids`` names the communities at fault."""

    status = 422

    def __init__(self, message: str, *, community_ids: list[int] | None = None):
        super().__init__(message)
        self.community_ids = community_ids or []


def _int(value, what: str, *, minimum: int = 0, maximum: int = MAX_QUOTA) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(f"{what}必须是整数。")
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{what}必须是整数。") from None
    if not minimum <= number <= maximum:
        raise InvalidInput(f"{what}必须在 {minimum} 到 {maximum} 之间。")
    return number


def _quota(value, what: str) -> tuple[int, int]:
    if isinstance(value, dict):
        low = _int(value.get("min", DEFAULT_QUOTA[0]), f"{what}的最少单位数")
        high = _int(value.get("max", max(low, DEFAULT_QUOTA[1])), f"{what}的最多单位数")
    else:
        low = high = _int(value, f"{what}的单位数")
    if low > high:
        raise InvalidInput(f"{what}的最少单位数（{low}）大于最多单位数（{high}）。")
    return low, high


def _pairs(value, what: str) -> list[tuple[int, int]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{what}必须是 [单位编号, 社区编号] 的列表。")
    pairs = []
    for item in value:
        if isinstance(item, dict):
            item = [item.get("unit_id"), item.get("community_id")]
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InvalidInput(f"{what}的每一项必须是 [单位编号, 社区编号]。")
        pairs.append(
            (_int(item[0], "单位编号", maximum=2**31), _int(item[1], "社区编号", maximum=2**31))
        )
    return sorted(set(pairs))


def _max_changes(value) -> int | None:
    if value in (None, ""):
        return None
    return _int(value, "最多调整结对数")


def _share(value) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise InvalidInput(
            "max_change_share 必须是 0 到 1 之间的数字（例如 0.25 表示 25%）。",
            field="max_change_share",
        )
    try:
        share = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(
            "max_change_share 必须是 0 到 1 之间的数字（例如 0.25 表示 25%）。",
            field="max_change_share",
        ) from None
    if not 0 <= share <= 1:  # also refuses NaN
        raise InvalidInput(
            "max_change_share 必须在 0 到 1 之间（例如 0.25 表示 25%）。", field="max_change_share"
        )
    return share


def _reason(value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise InvalidInput("change_reason 必须是文字。", field="change_reason")
    rule = PLAN["change_reason"]
    if len(value.strip()) > rule.max_length:
        raise InvalidInput(f"{rule.label}不能超过 {rule.max_length} 个字。", field="change_reason")
    return value.strip()


def weights_from(value) -> ScoreWeights:
    """Return score weights from a dict, refusing negative or non-numeric values."""
    if value in (None, ""):
        return ScoreWeights()
    if not isinstance(value, dict):
        raise InvalidInput('权重必须是对象，例如 {"coverage": 0.6}。')
    numbers = {}
    for name in WEIGHT_NAMES:
        raw = value.get(name, getattr(ScoreWeights(), name))
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise InvalidInput(f"权重 {name} 必须是数字。") from None
        if not 0 <= number <= 100:  # also refuses NaN
            raise InvalidInput(f"权重 {name} 必须在 0 到 100 之间。")
        numbers[name] = number
    return ScoreWeights(**numbers)


@dataclass(frozen=True)
class PlanInputs:
    """What the reviewer set: everything the optimizer needs besides the scores."""

    quotas: dict[int, tuple[int, int]] = field(default_factory=dict)
    capacities: dict[int, int] = field(default_factory=dict)
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    forbidden: list[tuple[int, int]] = field(default_factory=list)
    pinned: list[tuple[int, int]] = field(default_factory=list)
    default_quota: tuple[int, int] = DEFAULT_QUOTA
    # At most this many of the published plan's pairs may be dropped; None: no cap.
    max_changes: int | None = None
    # The cap as a share of the published pairs (resolved into ``max_changes`` when the
    # plan is made) and the reviewer's reason for lifting it above the setting.
    max_change_share: float | None = None
    change_reason: str = ""

    def quota_of(self, community_id: int) -> tuple[int, int]:
        """Return (min, max) units for a community."""
        return self.quotas.get(community_id, self.default_quota)

    def capacity_of(self, unit_id: int) -> int:
        """Return how many communities a unit may take."""
        return self.capacities.get(unit_id, DEFAULT_CAPACITY)

    def replace(self, **changes) -> "PlanInputs":
        """Return a copy with some inputs changed."""
        return replace(self, **changes)

    def check_ids(self, unit_ids: set[int], community_ids: set[int]) -> None:
        """Refuse ids that are not the county's units and communities."""
        for community_id in self.quotas:
            if community_id not in community_ids:
                raise InvalidInput(f"社区编号 {community_id} 不属于本县。")
        for unit_id in self.capacities:
            if unit_id not in unit_ids:
                raise InvalidInput(f"单位编号 {unit_id} 不属于本县。")
        for unit_id, community_id in [*self.pinned, *self.forbidden]:
            if unit_id not in unit_ids or community_id not in community_ids:
                raise InvalidInput(f"结对 [{unit_id}, {community_id}] 中有不属于本县的编号。")
        clash = set(self.pinned) & set(self.forbidden)
        if clash:
            raise InvalidInput(f"结对 {sorted(clash)[0]} 不能既固定又禁止。")

    def to_columns(self) -> dict:
        """Return the JSON columns stored on the plan."""
        low, high = self.default_quota
        quotas = {"default": {"min": low, "max": high}}
        quotas.update({str(c): {"min": lo, "max": hi} for c, (lo, hi) in self.quotas.items()})
        return {
            "quotas": quotas,
            "capacities": {str(unit_id): cap for unit_id, cap in self.capacities.items()},
            "weights": asdict(self.weights),
            "forbidden": [list(pair) for pair in self.forbidden],
            "pinned": [list(pair) for pair in self.pinned],
            "max_changes": self.max_changes,
            "max_change_share": self.max_change_share,
            "change_reason": self.change_reason,
        }

    @classmethod
    def from_json(cls, data: dict) -> "PlanInputs":
        """Parse inputs from the API's (or a stored plan's) JSON."""
        raw_quotas = {} if data.get("quotas") is None else data["quotas"]
        if not isinstance(raw_quotas, dict):
            raise InvalidInput('quotas 必须是对象：{社区编号: {"min": 8, "max": 8}}。')
        raw_caps = {} if data.get("capacities") is None else data["capacities"]
        if not isinstance(raw_caps, dict):
            raise InvalidInput("capacities 必须是对象：{单位编号: 1}。")
        default = DEFAULT_QUOTA
        quotas = {}
        for key, value in raw_quotas.items():
            if key == "default":
                default = _quota(value, "默认配额")
            else:
                quotas[_int(key, "社区编号", maximum=2**31)] = _quota(value, f"社区 {key} ")
        capacities = {
            _int(key, "单位编号", maximum=2**31): _int(value, f"单位 {key} 的承接数", maximum=100)
            for key, value in raw_caps.items()
        }
        return cls(
            quotas=quotas,
            capacities=capacities,
            weights=weights_from(data.get("weights")),
            forbidden=_pairs(data.get("forbidden"), "禁止结对"),
            pinned=_pairs(data.get("pinned"), "固定结对"),
            default_quota=default,
            max_changes=_max_changes(data.get("max_changes")),
            max_change_share=_share(data.get("max_change_share")),
            change_reason=_reason(data.get("change_reason")),
        )

    @classmethod
    def from_plan(cls, plan) -> "PlanInputs":
        """Return the inputs stored on a plan."""
        return cls.from_json(
            {
                "quotas": plan.quotas,
                "capacities": plan.capacities,
                "weights": plan.weights,
                "forbidden": plan.forbidden,
                "pinned": plan.pinned,
                "max_changes": plan.max_changes,
                "max_change_share": plan.max_change_share,
                "change_reason": plan.change_reason,
            }
        )


def adjusted_inputs(
    inputs: PlanInputs, kind: str, payload: dict, communities_of: dict[int, list[int]]
) -> tuple[PlanInputs, dict]:
    """Return the inputs (and payload) after one pin, forbid, swap, unpin or unforbid.

    ``communities_of`` maps each unit id to its communities in the plan (for swaps).
    """
    pinned, forbidden = set(inputs.pinned), set(inputs.forbidden)
    unit_id, community_id = payload.get("unit_id"), payload.get("community_id")
    needed = ("unit_id", "other_unit_id") if kind == "swap" else ("unit_id", "community_id")
    if not all(isinstance(payload.get(key), int) for key in needed):
        raise InvalidInput("请选择要调整的单位和社区。")
    pair = (unit_id, community_id)
    if kind == "pin":
        if inputs.capacity_of(unit_id) == 1:  # re-pinning a one-pair unit moves it
            pinned = {p for p in pinned if p[0] != unit_id}
        pinned.add(pair)
        forbidden.discard(pair)
    elif kind == "forbid":
        forbidden.add(pair)
        pinned.discard(pair)
    elif kind in ("unpin", "unforbid"):
        chosen = pinned if kind == "unpin" else forbidden
        if pair not in chosen:
            raise InvalidInput("该结对不在列表中。")
        chosen.discard(pair)
    elif kind == "swap":
        other_id = payload.get("other_unit_id")
        if unit_id == other_id:
            raise InvalidInput("请选择两个不同的单位互换。")
        first, second = communities_of.get(unit_id, []), communities_of.get(other_id, [])
        if len(first) != 1 or len(second) != 1:
            raise InvalidInput("互换的两个单位必须在本方案中各自只结对一个社区。")
        if first == second:
            raise InvalidInput("两个单位结对的是同一个社区，无需互换。")
        pinned -= {(unit_id, first[0]), (other_id, second[0])}
        pinned |= {(unit_id, second[0]), (other_id, first[0])}
        forbidden -= {(unit_id, second[0]), (other_id, first[0])}
        payload = {**payload, "from_community_id": first[0], "to_community_id": second[0]}
    else:
        raise InvalidInput("未知的调整类型。")
    return inputs.replace(pinned=sorted(pinned), forbidden=sorted(forbidden)), payload
