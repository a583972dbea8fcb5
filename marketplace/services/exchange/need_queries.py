"""Read-only views of needs: one need, the public browse list, a community's own list.

Re-exported by ``marketplace.services.exchange.needs``; kept apart so that module holds the writes.
"""

from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import Community, Need, PairingPlan, PlanPair, ServiceType, User
from marketplace.models.listings import NEED_STATUSES, PUBLIC_NEED_STATUSES
from marketplace.services.access import (
    check_ids,
    has_role,
    owns,
    require_role,
    valid_id,
)
from marketplace.services.exchange.need_state import claimable_clause
from marketplace.services.fields import keyword_pattern, read_choice
from marketplace.services.pagination import Page, paginate, paginate_rows


def need_options():
    """Return the loader options that keep need lists free of N+1 queries."""
    return (
        joinedload(Need.community).joinedload(Community.township),
        joinedload(Need.service_type).joinedload(ServiceType.category),
    )


def get_need(viewer: User | None, need_id: int) -> Need:
    """Return a need the viewer may see: public ones for all, others for its community."""
    if not valid_id(need_id):
        raise NotFound("需求不存在。")
    need = db.session.scalar(select(Need).options(*need_options()).where(Need.id == need_id))
    if need is None:
        raise NotFound("需求不存在。")
    if need.status not in PUBLIC_NEED_STATUSES and not owns(viewer, need):
        raise NotFound("需求不存在。")
    return need


@dataclass
class NeedFilters:
    category_id: int | None = None
    type_id: int | None = None
    township_id: int | None = None
    community_id: int | None = None
    status: str | None = None  # "open" = still claimable, or one public status
    q: str | None = None


def _filtered(query, filters: NeedFilters):
    check_ids(filters, "category_id", "type_id", "township_id", "community_id")
    if filters.status == "open":
        query = query.where(claimable_clause())
    elif filters.status:
        public = {code: NEED_STATUSES[code] for code in PUBLIC_NEED_STATUSES}
        status = read_choice(filters.status, "需求状态", public, "status")
        query = query.where(Need.status == status)
    if filters.type_id:
        query = query.where(Need.type_id == filters.type_id)
    if filters.category_id:
        types = select(ServiceType.id).where(ServiceType.category_id == filters.category_id)
        query = query.where(Need.type_id.in_(types))
    if filters.community_id:
        query = query.where(Need.community_id == filters.community_id)
    if filters.township_id:
        communities = select(Community.id).where(Community.township_id == filters.township_id)
        query = query.where(Need.community_id.in_(communities))
    if filters.q and filters.q.strip():
        pattern = keyword_pattern(filters.q)
        query = query.where(Need.title.ilike(pattern) | Need.description.ilike(pattern))
    return query


def paired_community_ids(unit_id: int):
    """Return a subquery of the communities paired with a unit in a published plan."""
    return (
        select(PlanPair.community_id)
        .join(PairingPlan, PairingPlan.id == PlanPair.plan_id)
        .where(PairingPlan.status == "published", PlanPair.unit_id == unit_id)
    )


def needs_page(
    viewer: User | None, filters: NeedFilters | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Return public needs; a unit sees its paired communities' needs first."""
    filters = filters or NeedFilters()
    query = _filtered(select(Need).where(Need.status.in_(PUBLIC_NEED_STATUSES)), filters)
    order = []
    if has_role(viewer, "unit") and viewer.unit_id:
        paired = Need.community_id.in_(paired_community_ids(viewer.unit_id))
        order.append(case((paired, 0), else_=1))
    # Claimable needs before finished ones, then the most urgent and newest.
    order.append(case((claimable_clause(), 0), else_=1))
    order += [Need.urgency.desc(), Need.created_at.desc(), Need.id.desc()]
    return paginate_rows(query.order_by(*order), Need, page, per_page, *need_options())


def community_needs_page(
    actor: User, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Return the actor's community's needs in every state, newest first."""
    require_role(actor, "community")
    query = select(Need).options(*need_options()).where(Need.community_id == actor.community_id)
    if status:
        if status == "open":
            query = query.where(claimable_clause())
        elif status in NEED_STATUSES:
            query = query.where(Need.status == status)
    return paginate(query.order_by(Need.created_at.desc(), Need.id.desc()), page, per_page)
