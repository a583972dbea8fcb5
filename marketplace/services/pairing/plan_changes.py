"""What a new plan changes: the cap on dropped pairs, and the consequences shown first.

A new plan may drop at most the setting ``PAIRING_MAX_CHANGE_SHARE`` of the published
plan's pairs; a reviewer lifts the cap only with a reason, kept on the plan and in the
audit log. Before a plan is submitted, approved or published the reviewer sees which
pairs it keeps, drops and adds (counts and shares) and the current quarter's activities
held by the pairs it drops: they stay with those pairs (compliance follows the pair's
life), so the reviewer knows what the dropped pairs take with them.
"""

import math
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.config import DEFAULT_MAX_CHANGE_SHARE
from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import Community, PairActivity, PairingPlan, PlanPair, Unit, User
from marketplace.services.notifications import notify, staff_of
from marketplace.services.oversight.oversight_calendar import county_today, quarter_of
from marketplace.services.pairing.plan_history import PairKey, published_keys
from marketplace.services.pairing.plan_inputs import PlanInputs

NO_CAP = 1.0
PAIRS_URL = "/pairs/"


def setting_share() -> float:
    """Return the county's default cap on dropped pairs, as a share (0–1)."""
    if not has_app_context():
        return DEFAULT_MAX_CHANGE_SHARE
    return float(current_app.config["PAIRING_MAX_CHANGE_SHARE"])


def percent(share: float) -> str:
    """Word a share as a percentage for a reviewer (0.25 → 25%)."""
    return f"{round(100 * share, 1):g}%"


def capped_inputs(county_id: int, inputs: PlanInputs) -> PlanInputs:
    """Return ``inputs`` with the cap on dropped pairs resolved against the published plan.

    A share given (``max_change_share``) becomes a count of the published pairs; a count
    given (``max_changes``) is kept; neither means the setting. Lifting the cap above the
    setting needs a reason (refused with ``field="change_reason"`` otherwise).
    """
    published = len(published_keys(county_id))
    default = setting_share()
    share = inputs.max_change_share
    if share is None and inputs.max_changes is not None:
        share = inputs.max_changes / published if published else 0.0
    if share is None:
        share = default
    if share > default + 1e-9 and not inputs.change_reason:
        raise InvalidInput(
            f"本方案最多撤下 {percent(min(share, NO_CAP))} 的已发布结对，超过默认上限"
            f" {percent(default)}：请在 change_reason 中写明放宽上限的理由。",
            field="change_reason",
        )
    count = inputs.max_changes
    if count is None:
        count = None if share >= NO_CAP or not published else math.floor(share * published)
    return inputs.replace(max_changes=count, max_change_share=min(share, NO_CAP))


@dataclass
class PlanConsequences:
    """What publishing a plan changes against the published plan."""

    plan: PairingPlan
    base: PairingPlan | None
    kept: list[PlanPair] = field(default_factory=list)
    dropped: list[tuple[Unit, Community]] = field(default_factory=list)
    added: list[PlanPair] = field(default_factory=list)
    moving_activities: int = 0  # this quarter's activities of the dropped pairs
    quarter_label: str = ""

    @property
    def published_count(self) -> int:
        return len(self.kept) + len(self.dropped)

    def share(self, count: int) -> float:
        return count / self.published_count if self.published_count else 0.0

    @property
    def over_setting(self) -> bool:
        return self.share(len(self.dropped)) > setting_share() + 1e-9

    def to_json(self) -> dict:
        return {
            "base_plan_id": self.base.id if self.base else None,
            "published_pairs": self.published_count,
            "kept": len(self.kept),
            "dropped": len(self.dropped),
            "added": len(self.added),
            "kept_share": round(self.share(len(self.kept)), 4),
            "dropped_share": round(self.share(len(self.dropped)), 4),
            "added_share": round(self.share(len(self.added)), 4),
            "moving_activities": self.moving_activities,
            "max_change_share": self.plan.max_change_share,
            "setting_share": setting_share(),
            "change_reason": self.plan.change_reason,
            "dropped_pairs": [
                {"unit_id": unit.id, "community_id": community.id}
                for unit, community in self.dropped
            ],
        }


def plan_consequences(plan: PairingPlan, pairs: list[PlanPair] | None = None) -> PlanConsequences:
    """Return what publishing ``plan`` would keep, drop and add (or did, once published).

    ``pairs`` are the plan's pairs when the caller has them loaded already.
    """
    base = db.session.scalar(
        select(PairingPlan)
        .where(
            PairingPlan.county_id == plan.county_id,
            PairingPlan.status.in_(("published", "superseded")),
            PairingPlan.id != plan.id,
            PairingPlan.published_at.is_not(None),
        )
        .where(
            PairingPlan.published_at < plan.published_at
            if plan.published_at is not None
            else PairingPlan.status == "published"
        )
        .order_by(PairingPlan.published_at.desc(), PairingPlan.id.desc())
        .limit(1)
    )
    pairs = _pairs_of(plan.id) if pairs is None else pairs
    new: set[PairKey] = {(pair.unit_id, pair.community_id) for pair in pairs}
    old_rows = _pairs_of(base.id) if base else []
    old: set[PairKey] = {(pair.unit_id, pair.community_id) for pair in old_rows}
    result = PlanConsequences(plan, base, quarter_label=quarter_of(county_today()).label)
    result.kept = [pair for pair in pairs if (pair.unit_id, pair.community_id) in old]
    result.added = [pair for pair in pairs if (pair.unit_id, pair.community_id) not in old]
    result.dropped = [
        (pair.unit, pair.community)
        for pair in old_rows
        if (pair.unit_id, pair.community_id) not in new
    ]
    result.moving_activities = _quarter_activities(old - new)
    return result


def _pairs_of(plan_id: int) -> list[PlanPair]:
    # One query with both sides joined: the plan page counts its queries.
    return list(
        db.session.scalars(
            select(PlanPair)
            .where(PlanPair.plan_id == plan_id)
            .options(joinedload(PlanPair.unit), joinedload(PlanPair.community))
            .order_by(PlanPair.community_id, PlanPair.unit_id)
        )
    )


def _quarter_activities(keys: set[PairKey]) -> int:
    if not keys:
        return 0
    quarter = quarter_of(county_today())
    rows = db.session.execute(
        select(PairActivity.unit_id, PairActivity.community_id, func.count())
        .where(
            PairActivity.community_id.in_({community for _unit, community in keys}),
            PairActivity.held_on.between(quarter.starts_on, quarter.ends_on),
        )
        .group_by(PairActivity.unit_id, PairActivity.community_id)
    )
    return sum(count for unit, community, count in rows if (unit, community) in keys)


def notify_changed_pairs(change: PlanConsequences) -> None:
    """Tell both sides of every dropped and every added pair (in the caller's transaction).

    The county's first plan changes nothing: its publication notice says it all.
    """
    if change.base is None:
        return
    title = change.plan.title
    for unit, community in change.dropped:
        message = (
            f"《{title}》发布后，{unit.name}与{community.name}的结对已撤下；"
            f"结对期间已开展的对接活动仍计入该结对的达标记录。"
        )
        users = staff_of(unit_id=unit.id) + staff_of(community_id=community.id)
        notify(users, "pairing.dropped", message[:500], PAIRS_URL)
    for pair in change.added:
        message = (
            f"《{title}》新增结对：{pair.unit.name}与{pair.community.name}，"
            "自发布之日起每季度至少开展一次对接活动（当季结对不足30天的不考核）。"
        )
        users = staff_of(unit_id=pair.unit_id) + staff_of(community_id=pair.community_id)
        notify(users, "pairing.added", message[:500], PAIRS_URL)


def notify_published_pairs(plan: PairingPlan) -> None:
    """Tell every paired community and unit of a published plan who its pairs are."""
    pairs = db.session.scalars(
        select(PlanPair)
        .where(PlanPair.plan_id == plan.id)
        .options(selectinload(PlanPair.unit), selectinload(PlanPair.community))
    ).all()
    units_of: dict[int, list[str]] = {}
    communities_of: dict[int, list[str]] = {}
    for pair in pairs:
        units_of.setdefault(pair.community_id, []).append(pair.unit.name)
        communities_of.setdefault(pair.unit_id, []).append(pair.community.name)
    staff = db.session.scalars(
        select(User).where(
            User.active.is_(True),
            or_(User.community_id.in_(units_of), User.unit_id.in_(communities_of)),
        )
    ).all()
    for user in staff:
        if user.community_id in units_of:
            names = units_of[user.community_id]
            message = (
                f"《{plan.title}》已发布：本社区结对单位 {len(names)} 个：{'、'.join(names)}。"
            )
        else:
            names = communities_of[user.unit_id]
            message = f"《{plan.title}》已发布：本单位结对社区：{'、'.join(names)}。"
        notify([user], "pairing.published", message[:500], PAIRS_URL)
