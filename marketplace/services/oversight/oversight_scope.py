"""Who oversees what: the communities a reviewer or a township sees, and its pairs.

Reviewers see the whole county; a township's staff see the communities of their
township (the rule is ``access.scope_communities``); used by compliance, meetings,
escalations and coverage. The published pairs come from ``services/pairing/plan_history.py``.
"""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Community, User
from marketplace.services.access import acting_communities, scope_communities
from marketplace.services.pairing.plan_history import published_pairs


def is_pair(unit_id: int, community_id: int) -> bool:
    """Tell whether the unit and the community are paired in the published plan."""
    return any(
        pair.community_id == community_id
        for pair in published_pairs(unit_id=unit_id, with_places=False)
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
