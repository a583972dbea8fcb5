"""Escalation queues: each level's waiting list with ages and time limits, and the
suggestions to escalate needs nobody has claimed for a while (a periodic job).
"""

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.errors import Forbidden
from marketplace.extensions import db
from marketplace.models import AuditEntry, Escalation, Need, Unit, User
from marketplace.models._common import utcnow
from marketplace.models.escalations import ACTIVE_ESCALATION_STATUSES
from marketplace.models.listings import OPEN_NEED_STATUSES
from marketplace.services import audit
from marketplace.services.access import has_role, require_role
from marketplace.services.notifications import notify, staff_of
from marketplace.services.pagination import Page, paginate


def queue_query(actor: User, *, active_only: bool = True):
    """Return the query of the actor's queue: its level's, its community's or its unit's."""
    query = (
        select(Escalation)
        .options(
            selectinload(Escalation.need),
            selectinload(Escalation.action_item),
            selectinload(Escalation.community),
            selectinload(Escalation.assigned_unit),
        )
        .order_by(Escalation.level_since, Escalation.id)
    )
    if has_role(actor, "township"):
        query = query.where(
            Escalation.level == "township", Escalation.township_id == actor.township_id
        )
    elif has_role(actor, "reviewer"):
        query = query.where(Escalation.level == "county")
    elif has_role(actor, "community"):
        query = query.where(Escalation.community_id == actor.community_id)
    elif has_role(actor, "unit"):
        query = query.where(Escalation.assigned_unit_id == actor.unit_id)
    else:
        raise Forbidden("您的角色没有上报事项队列。")
    if active_only:
        query = query.where(Escalation.status.in_(ACTIVE_ESCALATION_STATUSES))
    return query


def queue_page(actor: User, *, active_only: bool = True, page: int = 1, per_page: int = 20) -> Page:
    """Return a page of the actor's queue, oldest at its level first."""
    require_role(actor, "township", "reviewer", "community", "unit")
    return paginate(queue_query(actor, active_only=active_only), page, per_page)


def age_days(escalation: Escalation, now: datetime | None = None) -> int:
    """Return how many whole days the escalation has waited at its level."""
    since = escalation.level_since
    if since.tzinfo is None:  # SQLite returns naive UTC
        since = since.replace(tzinfo=UTC)
    return max(0, ((now or utcnow()) - since).days)


def time_limit(level: str) -> int:
    """Return the days a level has to handle an escalation (a setting)."""
    return current_app.config["ESCALATION_TIME_LIMITS"].get(level, 7)


def is_overdue(escalation: Escalation) -> bool:
    """Tell whether an active escalation has waited past its level's time limit."""
    return escalation.status in ACTIVE_ESCALATION_STATUSES and age_days(escalation) > time_limit(
        escalation.level
    )


def stale_needs_query(community_ids=None, today: date | None = None):
    """Return the query of open needs unclaimed for the set days, not already escalated."""
    days = current_app.config["ESCALATION_SUGGEST_DAYS"]
    day_starts, _ends = clock.day_bounds(today or clock.today())
    cutoff = day_starts - timedelta(days=days)
    active = select(Escalation.need_id).where(
        Escalation.need_id.is_not(None), Escalation.status.in_(ACTIVE_ESCALATION_STATUSES)
    )
    query = (
        select(Need)
        .where(Need.status == "published", Need.claimed == 0, Need.created_at <= cutoff)
        .where(Need.id.not_in(active))
        .order_by(Need.created_at, Need.id)
    )
    if community_ids is not None:
        query = query.where(Need.community_id.in_(list(community_ids)))
    return query


def suggest_escalations(today: date | None = None) -> int:
    """Suggest to communities that they escalate needs unclaimed for the set days (once each).

    Idempotent: a need already suggested (an ``escalation.suggest`` audit entry) is not
    suggested again. Returns how many needs were suggested.
    """
    done = select(AuditEntry.object_id).where(
        AuditEntry.action == "escalation.suggest", AuditEntry.object_type == "need"
    )
    needs = db.session.scalars(stale_needs_query(today=today).where(Need.id.not_in(done))).all()
    days = current_app.config["ESCALATION_SUGGEST_DAYS"]
    for need in needs:
        audit.record(
            "escalation.suggest", obj=need, username="system", detail=f"超过 {days} 天无人认领"
        )
        notify(
            staff_of(community_id=need.community_id),
            "escalation_suggested",
            f"需求「{need.title}」已超过 {days} 天无人认领，建议上报乡镇（街道）统筹安排。",
            f"/needs/{need.id}",
        )
    db.session.commit()
    return len(needs)


def stale_needs(community_ids, limit: int = 50) -> list[Need]:
    """Return open needs of the communities unclaimed for the set days (suggestions)."""
    return list(db.session.scalars(stale_needs_query(community_ids).limit(limit)))


def assignable_units() -> list[Unit]:
    """Return the units an escalation can be assigned to, by name."""
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))


def escalatable_needs(actor: User) -> list[Need]:
    """Return the community's open needs not already being escalated."""
    require_role(actor, "community")
    active = select(Escalation.need_id).where(
        Escalation.need_id.is_not(None), Escalation.status.in_(ACTIVE_ESCALATION_STATUSES)
    )
    return list(
        db.session.scalars(
            select(Need)
            .where(
                Need.community_id == actor.community_id,
                Need.status.in_(OPEN_NEED_STATUSES),
                Need.id.not_in(active),
            )
            .order_by(Need.created_at)
        )
    )
