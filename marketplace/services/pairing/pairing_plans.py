"""Pairing plans: run the optimizer, adjust and re-solve, review, approve and publish.

State machine: draft → under_review → approved → published; the county's previous
published plan becomes superseded. A draft, a plan under review or an approved plan can
be discarded; a plan under review can be returned to draft. Only reviewers act here, and
the reviewer who created or adjusted a plan cannot approve it (four eyes on every plan).
"""

from flask import current_app, has_app_context
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import County, PairingPlan, PlanAdjustment, PlanPair, User
from marketplace.models._common import utcnow
from marketplace.pairing import InvalidProblem, PairingProblem, ProblemTooLarge, SolverFailed
from marketplace.pairing.churn import ChangeLimitUnfinished, solve_with_change_limit
from marketplace.pairing.feasibility import GROUP_SHORT, TOO_FEW_ALLOWED, Infeasible
from marketplace.pairing.reasons import describe
from marketplace.pairing.routing import DEFAULT_BUDGET, MIB
from marketplace.services import audit
from marketplace.services.access import has_role
from marketplace.services.notifications import notify, settle
from marketplace.services.pairing.pairing_scores import CountyScores, county_scores
from marketplace.services.pairing.plan_changes import (
    capped_inputs,
    notify_changed_pairs,
    notify_published_pairs,
    plan_consequences,
)
from marketplace.services.pairing.plan_history import published_keys
from marketplace.services.pairing.plan_inputs import PlanInfeasible, PlanInputs, adjusted_inputs

ADJUSTMENT_KINDS = {
    "pin": "固定结对",
    "forbid": "禁止结对",
    "swap": "互换单位",
    "unpin": "取消固定",
    "unforbid": "取消禁止",
}


def solve(problem: PairingProblem, **options):
    """Run the optimizer, imported on first use (SciPy and HiGHS take ~1.5 s to load)."""
    from marketplace.pairing.solver import solve as optimize

    return optimize(problem, **options)


def require_reviewer(actor: User | None) -> User:
    """Refuse anyone who is not an active reviewer."""
    if not has_role(actor, "reviewer"):
        raise Forbidden("只有组织部审核员可以操作结对方案。")
    return actor


def first_county() -> County | None:
    """Return the county reviewers work on (the first one; the product runs per county)."""
    return db.session.scalar(select(County).order_by(County.id).limit(1))


def default_county() -> County:
    """Return the county reviewers work on, or raise NotFound on an empty database."""
    county = first_county()
    if county is None:
        raise NotFound("尚未导入任何县的数据。")
    return county


def get_plan(plan_id: int, *, lock: bool = False) -> PairingPlan:
    """Load a plan or raise NotFound."""
    query = select(PairingPlan).where(PairingPlan.id == plan_id)
    if lock:
        query = query.with_for_update()
    plan = db.session.scalar(query)
    if plan is None:
        raise NotFound("结对方案不存在。")
    return plan


def _lock_county(county_id: int) -> None:
    # Serialises version numbers and publishing per county on PostgreSQL; SQLite
    # already runs every transaction as BEGIN IMMEDIATE.
    db.session.execute(select(County.id).where(County.id == county_id).with_for_update())


def memory_budget() -> int:
    """Return the optimizer's memory budget in bytes (setting PAIRING_MEMORY_BUDGET_MB)."""
    if not has_app_context():
        return DEFAULT_BUDGET
    return int(current_app.config["PAIRING_MEMORY_BUDGET_MB"]) * MIB


def inputs_problem(county_id: int, inputs: PlanInputs) -> tuple[CountyScores, PairingProblem]:
    """Score the county's candidate pairs and state the optimizer's problem for ``inputs``.

    The candidates reach the optimizer as a list of pairs (never a units × communities
    matrix); pinned pairs are always candidates.
    """
    scores = county_scores(county_id, inputs.weights, keep=inputs.pinned)
    inputs.check_ids({unit.id for unit in scores.units}, {c.id for c in scores.communities})
    quotas = [inputs.quota_of(community.id) for community in scores.communities]
    problem = PairingProblem(
        unit_ids=tuple(str(unit.id) for unit in scores.units),
        community_ids=tuple(str(community.id) for community in scores.communities),
        pairs=scores.pairs(),
        capacity=tuple(inputs.capacity_of(unit.id) for unit in scores.units),
        min_quota=tuple(low for low, _ in quotas),
        max_quota=tuple(high for _, high in quotas),
        pinned=tuple((str(u), str(c)) for u, c in inputs.pinned),
        forbidden=tuple((str(u), str(c)) for u, c in inputs.forbidden),
    )
    return scores, problem


def solve_inputs(county_id: int, inputs: PlanInputs) -> tuple[CountyScores, list[tuple[int, int]]]:
    """Score the county and solve; return the scores and the (unit id, community id) pairs."""
    scores, problem = inputs_problem(county_id, inputs)
    try:
        if inputs.max_changes is None:
            result = solve(problem, memory_budget=memory_budget())
        else:
            previous = {(str(u), str(c)) for u, c in published_keys(county_id)}
            result = solve_with_change_limit(
                problem, previous, inputs.max_changes, memory_budget=memory_budget()
            )
    except (ProblemTooLarge, SolverFailed) as error:
        raise InvalidInput(f"{error}。") from None
    except InvalidProblem as error:
        raise InvalidInput(f"输入有误：{error}") from None
    except ChangeLimitUnfinished:
        raise PlanInfeasible("在调整上限内求解超时，请放宽“最多调整结对数”后重试。") from None
    if result.status != "optimal":
        short = [int(community_id) for community_id in result.short_communities]
        raise PlanInfeasible(reason_text(result.infeasibility, scores), community_ids=short)
    return scores, [(int(u), int(c)) for u, c in result.pairs]


def reason_text(infeasible: Infeasible | None, scores: CountyScores) -> str:
    """Word the optimizer's reason with names (it only knows ids), for a reviewer."""
    if infeasible is None:
        return "在这些条件下无法完成结对。"
    units = {str(unit.id): unit.name for unit in scores.units}
    communities = {str(community.id): community.name for community in scores.communities}

    def named(kind: str, names: dict[str, str]):
        return lambda ids: f"{kind}“{'、'.join(names.get(i, i) for i in ids)}”"

    reason = describe(infeasible, named("单位", units), named("社区", communities)) + "。"
    if scores.nearest and infeasible.cause in (TOO_FEW_ALLOWED, GROUP_SHORT):
        reason += (
            f"候选结对只取每家单位最近的 {scores.nearest} 个社区，"
            "这些社区的候选单位不足以达到最少结对数；请降低它们的最少结对数或扩大候选范围。"
        )
    return reason


def _apply_pairs(plan: PairingPlan, scores: CountyScores, pairs: list[tuple[int, int]]) -> None:
    """Make the plan's pairs equal ``pairs``, keeping rows that stay (unique constraint)."""
    wanted = set(pairs)
    pinned = {tuple(pair) for pair in plan.pinned}
    existing = {(pair.unit_id, pair.community_id): pair for pair in plan.pairs}
    for key, pair in existing.items():
        if key not in wanted:
            plan.pairs.remove(pair)
    db.session.flush()
    for key in sorted(wanted):
        pair = existing.get(key)
        if pair is None:
            pair = PlanPair(unit_id=key[0], community_id=key[1])
            plan.pairs.append(pair)
        parts = scores.parts[key]
        pair.coverage, pair.proximity, pair.continuity, pair.preference = (
            parts.coverage,
            parts.proximity,
            parts.continuity,
            parts.preference,
        )
        pair.score = parts.total
        pair.pinned = key in pinned
    plan.total_score = round(sum(scores.parts[key].total for key in wanted), 6)


def create_plan(actor: User, county_id: int, inputs: PlanInputs, title: str = "") -> PairingPlan:
    """Run the optimizer with ``inputs`` and keep the result as a new draft plan."""
    require_reviewer(actor)
    if db.session.get(County, county_id) is None:
        raise NotFound("县不存在。")
    _lock_county(county_id)
    inputs = capped_inputs(county_id, inputs)
    scores, pairs = solve_inputs(county_id, inputs)
    version = (
        db.session.scalar(
            select(func.max(PairingPlan.version)).where(PairingPlan.county_id == county_id)
        )
        or 0
    ) + 1
    plan = PairingPlan(
        county_id=county_id,
        version=version,
        title=(title.strip() or f"结对方案 第 {version} 版")[:100],
        status="draft",
        created_by_id=actor.id,
        **inputs.to_columns(),
    )
    db.session.add(plan)
    db.session.flush()
    _apply_pairs(plan, scores, pairs)
    audit.record(
        "pairing_plan.create",
        actor=actor,
        obj=plan,
        after={
            "version": version,
            "pairs": len(pairs),
            "total_score": plan.total_score,
            "max_changes": plan.max_changes,
            "max_change_share": plan.max_change_share,
        },
        detail=plan.change_reason,
    )
    db.session.commit()
    return plan


def adjust_plan(actor: User, plan_id: int, kind: str, payload: dict) -> PairingPlan:
    """Pin, forbid, swap, unpin or unforbid on a draft, then re-solve and keep the change."""
    require_reviewer(actor)
    plan = get_plan(plan_id, lock=True)
    if plan.status != "draft":
        raise Conflict("只有草稿状态的方案可以调整；审核中的方案请先退回修改。")
    inputs = PlanInputs.from_plan(plan)
    communities_of: dict[int, list[int]] = {}
    for pair in plan.pairs:
        communities_of.setdefault(pair.unit_id, []).append(pair.community_id)
    new_inputs, payload = adjusted_inputs(inputs, kind, payload, communities_of)
    scores, pairs = solve_inputs(plan.county_id, new_inputs)
    before = {"total_score": plan.total_score}
    for column, value in new_inputs.to_columns().items():
        setattr(plan, column, value)
    _apply_pairs(plan, scores, pairs)
    plan.adjustments.append(PlanAdjustment(kind=kind, payload=payload, author_id=actor.id))
    audit.record(
        "pairing_plan.adjust",
        actor=actor,
        obj=plan,
        before=before,
        after={"kind": kind, **payload, "total_score": plan.total_score},
    )
    db.session.commit()
    return plan


def _transition(actor: User, plan_id: int, allowed: tuple[str, ...], target: str) -> PairingPlan:
    require_reviewer(actor)
    plan = get_plan(plan_id, lock=True)
    if plan.status == target:
        raise Conflict(f"该方案已经是“{plan.status_label}”状态。")
    if plan.status not in allowed:
        raise Conflict(f"方案当前为“{plan.status_label}”，不能执行此操作。")
    return plan


def _record(action: str, actor: User, plan: PairingPlan, before: str, **extra) -> None:
    after = {"status": plan.status, **extra}
    audit.record(action, actor=actor, obj=plan, before={"status": before}, after=after)


PLAN_SUBMITTED = "pairing.submitted"


def plan_url(plan: PairingPlan) -> str:
    return f"/review/plans/{plan.id}"


def plan_shapers(plan: PairingPlan) -> set[int]:
    """Return the ids of the reviewers who created or adjusted ``plan``: they cannot approve."""
    return {plan.created_by_id} | {adjustment.author_id for adjustment in plan.adjustments}


def may_approve(user: User, plan: PairingPlan) -> bool:
    """Say whether ``user`` may approve ``plan`` now (a reviewer who did not shape it)."""
    return (
        has_role(user, "reviewer")
        and plan.status == "under_review"
        and user.id not in plan_shapers(plan)
    )


def _reviewers() -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.role == "reviewer", User.active.is_(True)))
    )


def submit_plan(actor: User, plan_id: int) -> PairingPlan:
    """Send a draft for review by another reviewer."""
    plan = _transition(actor, plan_id, ("draft",), "under_review")
    plan.status, plan.submitted_at = "under_review", utcnow()
    _record("pairing_plan.submit", actor, plan, "draft")
    shapers = plan_shapers(plan)
    others = [user for user in _reviewers() if user.id not in shapers]
    notify(others, PLAN_SUBMITTED, f"《{plan.title}》已提交审核，等待您批准。", plan_url(plan))
    db.session.commit()
    return plan


def return_plan(actor: User, plan_id: int, note: str = "") -> PairingPlan:
    """Send a plan under review back to draft, with the reviewer's note."""
    plan = _transition(actor, plan_id, ("under_review",), "draft")
    settle(_reviewers(), plan_url(plan), PLAN_SUBMITTED)
    plan.status, plan.submitted_at = "draft", None
    if note.strip():
        plan.note = note.strip()[:2000]
    _record("pairing_plan.return", actor, plan, "under_review", note=note[:200])
    db.session.commit()
    return plan


def approve_plan(actor: User, plan_id: int) -> PairingPlan:
    """Approve a plan under review; its author and adjusters cannot (no self-approval)."""
    plan = _transition(actor, plan_id, ("under_review",), "approved")
    if actor.id in plan_shapers(plan):
        raise Forbidden("不能批准自己创建或调整过的方案，请由另一位审核员批准。")
    settle(_reviewers(), plan_url(plan), PLAN_SUBMITTED)
    plan.status, plan.approved_by_id, plan.approved_at = "approved", actor.id, utcnow()
    _record("pairing_plan.approve", actor, plan, "under_review")
    db.session.commit()
    return plan


def discard_plan(actor: User, plan_id: int) -> PairingPlan:
    """Discard a plan that is not published."""
    plan = _transition(actor, plan_id, ("draft", "under_review", "approved"), "discarded")
    before, plan.status = plan.status, "discarded"
    _record("pairing_plan.discard", actor, plan, before)
    db.session.commit()
    return plan


def publish_plan(actor: User, plan_id: int) -> PairingPlan:
    """Publish an approved plan: supersede the old one and notify every paired party."""
    require_reviewer(actor)
    county_id = get_plan(plan_id).county_id
    _lock_county(county_id)
    plan = _transition(actor, plan_id, ("approved",), "published")
    if plan.approved_by_id is None:
        raise Conflict("方案尚未批准，不能发布。")
    change = plan_consequences(plan)  # against the plan it replaces, before it is replaced
    previous = db.session.scalars(
        select(PairingPlan).where(
            PairingPlan.county_id == county_id, PairingPlan.status == "published"
        )
    ).all()
    for old in previous:
        old.status = "superseded"
        _record("pairing_plan.supersede", actor, old, "published", replaced_by=plan.id)
    plan.status, plan.published_by_id, plan.published_at = "published", actor.id, utcnow()
    notify_published_pairs(plan)
    notify_changed_pairs(change)
    _record(
        "pairing_plan.publish",
        actor,
        plan,
        "approved",
        pairs=len(plan.pairs),
        kept=len(change.kept),
        dropped=len(change.dropped),
        added=len(change.added),
    )
    db.session.commit()
    return plan
