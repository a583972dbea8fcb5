"""Who oversees what: published pairs, and the communities a reviewer or township sees.

Reviewers see the whole county; a township's staff see the communities of their
township (the rule is ``access.scope_communities``); used by compliance, meetings,
escalations and coverage.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Community, PairingPlan, PlanPair, User
from marketplace.services.access import acting_communities, require_role, scope_communities

# The old name of ``access.require_role`` (same wording), kept while parallel work still
# imports it; the lead removes it at merge.
require_any = require_role


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
    scope = scope_communities(actor)
    query = select(Community).order_by(Community.township_id, Community.id)
    if scope is not None:
        query = query.where(Community.id.in_(scope))
    return list(db.session.scalars(query))


def overseen_community_ids(actor: User) -> list[int]:
    """Return the ids of :func:`overseen_communities`."""
    return [community.id for community in overseen_communities(actor)]


# The old name of ``access.acting_communities``, kept while parallel work imports it.
actor_community_ids = acting_communities
