"""Record checks of the exchange and pairing: claimed quantities, plan totals."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Claim, Need, PairingPlan, PlanPair
from marketplace.models.claims import LIVE_CLAIM_STATUSES
from marketplace.services.record_check import register_check

SCORE_TOLERANCE = 1e-4  # the stored total is rounded to six places


def need_claimed_differences() -> list[str]:
    """Each need's ``claimed`` against the sum of its live claims' quantities."""
    live = (
        select(Claim.need_id, func.sum(Claim.quantity).label("total"))
        .where(Claim.status.in_(LIVE_CLAIM_STATUSES))
        .group_by(Claim.need_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Need.id, Need.title, Need.claimed, func.coalesce(live.c.total, 0))
        .outerjoin(live, live.c.need_id == Need.id)
        .where(Need.claimed != func.coalesce(live.c.total, 0))
        .order_by(Need.id)
    )
    return [
        f"需求 #{need_id}「{title}」记录已认领 {claimed}，有效认领合计 {int(total)}"
        for need_id, title, claimed, total in rows
    ]


def plan_total_differences() -> list[str]:
    """Each pairing plan's ``total_score`` against the sum of its pairs' scores."""
    sums = dict(
        db.session.execute(
            select(PlanPair.plan_id, func.sum(PlanPair.score)).group_by(PlanPair.plan_id)
        ).all()
    )
    return [
        f"结对方案 #{plan.id}（第 {plan.version} 版）记录总分 {plan.total_score:.4f}，"
        f"各结对得分合计 {float(sums.get(plan.id) or 0):.4f}"
        for plan in db.session.scalars(select(PairingPlan).order_by(PairingPlan.id))
        if abs(plan.total_score - float(sums.get(plan.id) or 0)) > SCORE_TOLERANCE
    ]


register_check("need.claimed", "需求已认领数量", need_claimed_differences)
register_check("pairing_plan.total", "结对方案总分", plan_total_differences)
