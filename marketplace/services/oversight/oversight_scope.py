"""Who oversees what: the communities a reviewer or a township sees, and its pairs.

Reviewers see the whole county; a township's staff see the communities of their
township. One definition here, used by compliance, meetings, escalations and coverage;
the published pairs come from ``services/pairing/plan_history.py``.
"""

from sqlalchemy import select

from marketplace.errors import Forbidden
from marketplace.extensions import db
from marketplace.models import Community, User
from marketplace.services.access import has_role, signed_in
from marketplace.services.pairing.plan_history import published_pairs

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
        return sorted(
            {p.community_id for p in published_pairs(unit_id=actor.unit_id, with_places=False)}
        )
    return overseen_community_ids(actor)
