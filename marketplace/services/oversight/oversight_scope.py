"""Who oversees what: published pairs, and the communities a reviewer or township sees.

Reviewers see the whole county; a township's staff see the communities of their
township. One definition here, used by compliance, meetings, escalations and coverage.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.errors import Forbidden
from marketplace.extensions import db
from marketplace.models import Community, PairingPlan, PlanPair, User
from marketplace.services.access import has_role, signed_in

ROLE_LABELS = {
    "community": "社区工作人员",
    "unit": "驻区单位",
    "reviewer": "组织部审核员",
    "township": "乡镇（街道）工作人员",
}


def require_any(actor: User | None, *roles: str) -> User:
    """Refuse anyone not signed in with one of ``roles`` (worded by role)."""
    if not signed_in(actor):
        raise Forbidden("请先登录。")
    if not has_role(actor, *roles):
        names = "或".join(ROLE_LABELS.get(role, role) for role in roles)
        raise Forbidden(f"只有{names}可以执行此操作。")
    return actor


def published_pairs(community_ids=None) -> list[PlanPair]:
    """Return the published plan's pairs (of some communities), with both sides loaded."""
    query = (
        select(PlanPair)
        .join(PairingPlan, PairingPlan.id == PlanPair.plan_id)
        .where(PairingPlan.status == "published")
        .options(selectinload(PlanPair.unit), selectinload(PlanPair.community))
        .order_by(PlanPair.community_id, PlanPair.unit_id)
    )
    if community_ids is not None:
        query = query.where(PlanPair.community_id.in_(list(community_ids)))
    return list(db.session.scalars(query))


def plan_in_force(day: date) -> int | None:
    """Return the id of the plan in force at the end of ``day`` (county time), if any.

    That is the last plan published before the day ended, whether it is still the
    published one or was superseded since: a past quarter is judged by the pairs of its
    own time, not by today's.
    """
    _start, end = clock.day_bounds(day)
    return db.session.scalar(
        select(PairingPlan.id)
        .where(
            PairingPlan.status.in_(("published", "superseded")),
            PairingPlan.published_at < end,
        )
        .order_by(PairingPlan.published_at.desc(), PairingPlan.id.desc())
        .limit(1)
    )


def plan_pairs(plan_ids, community_ids=None) -> list[PlanPair]:
    """Return the pairs of some plans (of some communities), with both sides loaded."""
    query = (
        select(PlanPair)
        .where(PlanPair.plan_id.in_(list(plan_ids)))
        .options(selectinload(PlanPair.unit), selectinload(PlanPair.community))
        .order_by(PlanPair.community_id, PlanPair.unit_id, PlanPair.plan_id.desc())
    )
    if community_ids is not None:
        query = query.where(PlanPair.community_id.in_(list(community_ids)))
    return list(db.session.scalars(query))


def is_pair(unit_id: int, community_id: int) -> bool:
    """Tell whether the unit and the community are paired in the published plan."""
    return (
        db.session.scalar(
            select(PlanPair.id)
            .join(PairingPlan, PairingPlan.id == PlanPair.plan_id)
            .where(
                PairingPlan.status == "published",
                PlanPair.unit_id == unit_id,
                PlanPair.community_id == community_id,
            )
            .limit(1)
        )
        is not None
    )


def paired_unit_ids(community_ids) -> set[int]:
    """Return the units paired with any of ``community_ids`` in the published plan."""
    return {pair.unit_id for pair in published_pairs(community_ids)}


def overseen_communities(actor: User) -> list[Community]:
    """Return the communities a reviewer (all) or a township's staff (its own) oversee."""
    require_any(actor, "reviewer", "township")
    query = select(Community).order_by(Community.township_id, Community.id)
    if has_role(actor, "township"):
        query = query.where(Community.township_id == actor.township_id)
    return list(db.session.scalars(query))


def overseen_community_ids(actor: User) -> list[int]:
    """Return the ids of :func:`overseen_communities`."""
    return [community.id for community in overseen_communities(actor)]


def actor_community_ids(actor: User) -> list[int]:
    """Return the communities an actor acts for: its own, its township's, or all."""
    if has_role(actor, "community"):
        return [actor.community_id]
    if has_role(actor, "unit"):
        return sorted({pair.community_id for pair in _unit_pairs(actor.unit_id)})
    return overseen_community_ids(actor)


def _unit_pairs(unit_id: int) -> list[PlanPair]:
    return list(
        db.session.scalars(
            select(PlanPair)
            .join(PairingPlan, PairingPlan.id == PlanPair.plan_id)
            .where(PairingPlan.status == "published", PlanPair.unit_id == unit_id)
        )
    )
