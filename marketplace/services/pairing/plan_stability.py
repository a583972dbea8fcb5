"""Stability of a pairing plan: its blocking pairs, and the stable plan to compare it with.

Read-only. Both are computed on today's scores with the plan's own inputs (weights,
capacities, quotas, pinned and forbidden pairs), like the comparison with the
published plan, by the pure ``marketplace.pairing.stability``.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.errors import InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Community, PairingPlan, PlanPair, Unit
from marketplace.pairing.stability import PROPOSERS, blocking_pairs, stable_pairs
from marketplace.services.pairing.pairing_plans import inputs_problem
from marketplace.services.pairing.pairing_scores import CountyScores
from marketplace.services.pairing.plan_history import published_keys
from marketplace.services.pairing.plan_inputs import PlanInputs

PROPOSER_LABELS = {"units": "单位提议", "communities": "社区提议"}


@dataclass
class BlockingPair:
    """A unit and a community, not paired, that would both rather have each other."""

    unit: Unit
    community: Community
    score: float


@dataclass
class StableComparison:
    plan: PairingPlan
    proposing: str
    plan_total: float
    stable_total: float
    plan_blocking: list[BlockingPair]
    stable_blocking: list[BlockingPair]
    only_in_plan: list[tuple[Unit, Community]]
    only_in_stable: list[tuple[Unit, Community]]
    below_minimum: list[Community]
    stable_dropped: int = 0  # published pairs the stable plan drops (it knows no cap)

    @property
    def cap_explains_gap(self) -> bool:
        """Tell whether the plan's change cap, which the stable plan ignores, explains
        why the stable plan scores higher."""
        cap = self.plan.max_changes
        return cap is not None and self.stable_dropped > cap and self.stable_total > self.plan_total

    @property
    def proposing_label(self) -> str:
        return PROPOSER_LABELS[self.proposing]

    @property
    def cost_share(self) -> float:
        """How much lower the stable plan's total is, as a share of the plan's."""
        return (self.plan_total - self.stable_total) / self.plan_total if self.plan_total else 0.0


def _plan(plan_id: int) -> PairingPlan:
    plan = db.session.get(PairingPlan, plan_id)
    if plan is None:
        raise NotFound("结对方案不存在。")
    return plan


def _plan_keys(plan: PairingPlan) -> list[tuple[str, str]]:
    rows = db.session.execute(
        db.select(PlanPair.unit_id, PlanPair.community_id).where(PlanPair.plan_id == plan.id)
    )
    return [(str(unit_id), str(community_id)) for unit_id, community_id in rows]


def _named(scores: CountyScores, found) -> list[BlockingPair]:
    units = {str(unit.id): unit for unit in scores.units}
    communities = {str(c.id): c for c in scores.communities}
    return [BlockingPair(units[u], communities[c], score) for u, c, score in found]


def _problem(plan: PairingPlan):
    return inputs_problem(plan.county_id, PlanInputs.from_plan(plan))


def plan_blocking_pairs(plan_id: int) -> list[BlockingPair]:
    """Return the plan's blocking pairs, highest score first."""
    plan = _plan(plan_id)
    scores, problem = _problem(plan)
    return _named(scores, blocking_pairs(problem, _plan_keys(plan)))


def compare_with_stable(plan_id: int, proposing: str) -> StableComparison:
    """Compute the stable plan (deferred acceptance, ``proposing`` side) and compare."""
    if proposing not in PROPOSERS:
        raise InvalidInput("提议方只能是单位（units）或社区（communities）。")
    plan = _plan(plan_id)
    scores, problem = _problem(plan)
    mine = _plan_keys(plan)
    stable = stable_pairs(problem, proposing)
    score_of = {(str(u), str(c)): part.total for (u, c), part in scores.parts.items()}
    units = {str(unit.id): unit for unit in scores.units}
    communities = {str(c.id): c for c in scores.communities}

    def listed(keys) -> list[tuple[Unit, Community]]:
        ordered = sorted(keys, key=lambda key: (int(key[1]), int(key[0])))
        return [(units[u], communities[c]) for u, c in ordered]

    return StableComparison(
        plan=plan,
        proposing=proposing,
        plan_total=sum(score_of.get(key, 0.0) for key in mine),
        stable_total=stable.total_score,
        plan_blocking=_named(scores, blocking_pairs(problem, mine)),
        stable_blocking=_named(scores, blocking_pairs(problem, stable.pairs)),
        only_in_plan=listed(set(mine) - set(stable.pairs)),
        only_in_stable=listed(set(stable.pairs) - set(mine)),
        below_minimum=[communities[c] for c in stable.below_minimum],
        stable_dropped=len(
            {(str(u), str(c)) for u, c in published_keys(plan.county_id)} - set(stable.pairs)
        ),
    )


def blocking_to_json(pairs: list[BlockingPair]) -> list[dict]:
    """Return blocking pairs for the API."""
    return [
        {
            "unit_id": pair.unit.id,
            "unit": pair.unit.name,
            "community_id": pair.community.id,
            "community": pair.community.name,
            "score": round(pair.score, 6),
        }
        for pair in pairs
    ]


def stable_to_json(comparison: StableComparison) -> dict:
    """Return a comparison with the stable plan for the API."""

    def pairs(items):
        return [{"unit_id": u.id, "community_id": c.id} for u, c in items]

    return {
        "plan_id": comparison.plan.id,
        "proposing": comparison.proposing,
        "plan_total": round(comparison.plan_total, 6),
        "stable_total": round(comparison.stable_total, 6),
        "cost_share": round(comparison.cost_share, 6),
        "plan_blocking_pairs": blocking_to_json(comparison.plan_blocking),
        "stable_blocking_pairs": blocking_to_json(comparison.stable_blocking),
        "only_in_plan": pairs(comparison.only_in_plan),
        "only_in_stable": pairs(comparison.only_in_stable),
        "below_minimum": [community.id for community in comparison.below_minimum],
        "max_changes": comparison.plan.max_changes,
        "stable_dropped": comparison.stable_dropped,
        "cap_explains_gap": comparison.cap_explains_gap,
    }
