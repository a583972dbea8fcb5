"""Read-only views of pairing plans: lists, the plan page, comparison, published pairs."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import (
    Community,
    Need,
    PairingPlan,
    PlanAdjustment,
    PlanPair,
    Township,
    Unit,
    User,
)
from marketplace.models.pairing import PLAN_STATUSES
from marketplace.services.pagination import Page, paginate
from marketplace.services.pairing.pairing_scores import county_scores, coverage_by_community
from marketplace.services.pairing.plan_inputs import PlanInputs


@dataclass
class CommunityBlock:
    community: Community
    pairs: list[PlanPair]
    quota: tuple[int, int]
    covered: list[Need] = field(default_factory=list)
    uncovered: list[Need] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(pair.score for pair in self.pairs)


@dataclass
class PlanDetail:
    plan: PairingPlan
    inputs: PlanInputs
    blocks: list[CommunityBlock]
    units: list[Unit]
    communities: list[Community]
    community_of_unit: dict[int, list[Community]]
    people: dict[int, User]

    @property
    def unit_names(self) -> dict[int, str]:
        return {unit.id: unit.name for unit in self.units}

    @property
    def community_names(self) -> dict[int, str]:
        return {community.id: community.name for community in self.communities}


@dataclass
class CommunityChange:
    community: Community
    before: float
    after: float
    added: list[Unit]
    removed: list[Unit]

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass
class Comparison:
    plan: PairingPlan
    base: PairingPlan | None
    added: list[tuple[Unit, Community]]
    removed: list[tuple[Unit, Community]]
    rows: list[CommunityChange]
    kept: int = 0  # pairs of the published plan this plan keeps

    @property
    def base_count(self) -> int:
        return self.kept + len(self.removed)

    @property
    def churn_percent(self) -> float:
        """Share of the published plan's pairs this plan drops, in percent."""
        return 100.0 * len(self.removed) / self.base_count if self.base_count else 0.0


def plans_page(*, status: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Return pairing plans, newest first, optionally of one status."""
    query = select(PairingPlan).order_by(PairingPlan.county_id, PairingPlan.version.desc())
    if status in PLAN_STATUSES:
        query = query.where(PairingPlan.status == status)
    return paginate(query, page, per_page)


def plan_pairs(plan_id: int) -> list[PlanPair]:
    """Return a plan's pairs with their unit and community loaded (no N+1)."""
    return list(
        db.session.scalars(
            select(PlanPair)
            .where(PlanPair.plan_id == plan_id)
            .options(selectinload(PlanPair.unit), selectinload(PlanPair.community))
            .order_by(PlanPair.community_id, PlanPair.score.desc(), PlanPair.unit_id)
        )
    )


def county_places(county_id: int) -> tuple[list[Unit], list[Community]]:
    """Return the county's units and communities, ordered by id."""
    units = list(
        db.session.scalars(select(Unit).where(Unit.county_id == county_id).order_by(Unit.id))
    )
    communities = list(
        db.session.scalars(
            select(Community)
            .join(Township)
            .where(Township.county_id == county_id)
            .options(selectinload(Community.township))
            .order_by(Community.id)
        )
    )
    return units, communities


def plan_detail(plan_id: int, *, with_needs: bool = True) -> PlanDetail:
    """Return everything the plan page shows: blocks per community, inputs, people."""
    plan = db.session.get(PairingPlan, plan_id)
    if plan is None:
        raise NotFound("结对方案不存在。")
    inputs = PlanInputs.from_plan(plan)
    pairs = plan_pairs(plan.id)
    units, communities = county_places(plan.county_id)
    by_community: dict[int, list[PlanPair]] = {}
    community_of_unit: dict[int, list[Community]] = {}
    for pair in pairs:
        by_community.setdefault(pair.community_id, []).append(pair)
        community_of_unit.setdefault(pair.unit_id, []).append(pair.community)
    blocks = [
        CommunityBlock(c, by_community.get(c.id, []), inputs.quota_of(c.id)) for c in communities
    ]
    if with_needs:
        coverage = coverage_by_community(
            {block.community.id: [pair.unit_id for pair in block.pairs] for block in blocks}
        )
        for block in blocks:
            block.covered, block.uncovered = coverage[block.community.id]
    people_ids = {plan.created_by_id, plan.approved_by_id, plan.published_by_id}
    people_ids |= {adjustment.author_id for adjustment in plan.adjustments}
    people_ids.discard(None)
    people = {
        user.id: user
        for user in db.session.scalars(select(User).where(User.id.in_(people_ids or {0})))
    }
    return PlanDetail(plan, inputs, blocks, units, communities, community_of_unit, people)


def score_totals(plan: PairingPlan) -> dict[tuple[int, int], float]:
    """Return today's total score of every (unit id, community id) with the plan's weights."""
    scores = county_scores(plan.county_id, PlanInputs.from_plan(plan).weights)
    return {key: parts.total for key, parts in scores.parts.items()}


def published_plan(county_id: int) -> PairingPlan | None:
    """Return the county's published plan, if any."""
    return db.session.scalar(
        select(PairingPlan)
        .where(PairingPlan.county_id == county_id, PairingPlan.status == "published")
        .order_by(PairingPlan.published_at.desc())
        .limit(1)
    )


def compare_with_published(plan_id: int) -> Comparison:
    """Compare a plan with its county's published plan, scored with the plan's weights."""
    plan = db.session.get(PairingPlan, plan_id)
    if plan is None:
        raise NotFound("结对方案不存在。")
    base = published_plan(plan.county_id)
    if base is not None and base.id == plan.id:
        base = None
    # Both plans are scored on today's data with this plan's weights, so the
    # change per community measures the pairs, not a stale snapshot.
    scores = county_scores(plan.county_id, PlanInputs.from_plan(plan).weights)
    units = {unit.id: unit for unit in scores.units}
    communities = {community.id: community for community in scores.communities}
    new = {(p.unit_id, p.community_id) for p in plan_pairs(plan.id)}
    old = {(p.unit_id, p.community_id) for p in plan_pairs(base.id)} if base else set()

    def total(pairs: set, community_id: int) -> float:
        return sum(scores.parts[key].total for key in pairs if key[1] == community_id)

    rows = [
        CommunityChange(
            community,
            total(old, community.id),
            total(new, community.id),
            [units[u] for u, c in sorted(new - old) if c == community.id],
            [units[u] for u, c in sorted(old - new) if c == community.id],
        )
        for community in scores.communities
    ]
    added = [(units[u], communities[c]) for u, c in sorted(new - old, key=lambda k: (k[1], k[0]))]
    removed = [(units[u], communities[c]) for u, c in sorted(old - new, key=lambda k: (k[1], k[0]))]
    return Comparison(plan, base, added, removed, rows, kept=len(new & old))


def adjustment_text(adjustment: PlanAdjustment, detail: PlanDetail) -> str:
    """Describe an adjustment in words, by names."""
    units, communities = detail.unit_names, detail.community_names
    payload = adjustment.payload or {}
    unit = units.get(payload.get("unit_id"), "?")
    if adjustment.kind == "swap":
        other = units.get(payload.get("other_unit_id"), "?")
        first = communities.get(payload.get("from_community_id"), "?")
        second = communities.get(payload.get("to_community_id"), "?")
        return f"互换：{unit}（{first}）↔ {other}（{second}）"
    community = communities.get(payload.get("community_id"), "?")
    from marketplace.services.pairing.pairing_plans import ADJUSTMENT_KINDS

    return f"{ADJUSTMENT_KINDS.get(adjustment.kind, adjustment.kind)}：{unit} — {community}"


def plan_to_json(plan: PairingPlan, pairs: list[PlanPair] | None = None) -> dict:
    """Return a plan with its inputs and its pairs' score parts as JSON."""
    pairs = plan_pairs(plan.id) if pairs is None else pairs
    return {
        "id": plan.id,
        "county_id": plan.county_id,
        "version": plan.version,
        "title": plan.title,
        "status": plan.status,
        "total_score": plan.total_score,
        "inputs": {
            "quotas": plan.quotas,
            "capacities": plan.capacities,
            "weights": plan.weights,
            "forbidden": plan.forbidden,
            "pinned": plan.pinned,
            "max_changes": plan.max_changes,
            "max_change_share": plan.max_change_share,
            "change_reason": plan.change_reason,
        },
        "created_at": plan.created_at.isoformat() if plan.created_at else None,
        "approved_at": plan.approved_at.isoformat() if plan.approved_at else None,
        "published_at": plan.published_at.isoformat() if plan.published_at else None,
        "adjustments": [
            {"kind": a.kind, "payload": a.payload, "author_id": a.author_id}
            for a in plan.adjustments
        ],
        "pairs": [
            {
                "unit_id": pair.unit_id,
                "unit": pair.unit.name,
                "community_id": pair.community_id,
                "community": pair.community.name,
                "score": round(pair.score, 6),
                "coverage": round(pair.coverage, 6),
                "proximity": round(pair.proximity, 6),
                "continuity": round(pair.continuity, 6),
                "preference": round(pair.preference, 6),
                "pinned": pair.pinned,
            }
            for pair in pairs
        ],
    }
