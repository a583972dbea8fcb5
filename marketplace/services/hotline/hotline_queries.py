"""Hotline lists and the periodic overdue check: overdue first, marked once, notified once."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import selectinload

from marketplace.errors import Forbidden, InvalidInput
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models._common import utcnow
from marketplace.models.hotline import (
    HOTLINE_SERVICES,
    PENDING_STATUSES,
    TICKET_STATUSES,
    Ticket,
    TicketEvent,
)
from marketplace.models.members import Team
from marketplace.services import audit
from marketplace.services.access import has_role, signed_in, valid_id
from marketplace.services.hotline.hotline import dispatchers
from marketplace.services.hotline.hotline_teams import teams_acted_for
from marketplace.services.notifications import notify
from marketplace.services.pagination import Page, paginate

STAFF_ROLES = ("dispatcher", "reviewer")


@dataclass(frozen=True)
class TicketFilters:
    status: str | None = None
    service_code: str | None = None
    community_id: int | None = None
    overdue_only: bool = False


def overdue_clause(now: datetime):
    """Return the SQL condition "late now": not dispatched or not served within its limits."""
    return or_(
        and_(Ticket.status == "received", Ticket.dispatch_due_at < now),
        and_(Ticket.status.in_(PENDING_STATUSES), Ticket.serve_due_at < now),
    )


def _filtered(query, filters: TicketFilters, now: datetime):
    if filters.status and filters.status not in (*TICKET_STATUSES, "open"):
        raise InvalidInput("状态筛选无效。", field="status")
    if filters.service_code and filters.service_code not in HOTLINE_SERVICES:
        raise InvalidInput("类别筛选无效。", field="service_code")
    if filters.community_id and not valid_id(filters.community_id):
        raise InvalidInput("社区筛选无效。", field="community_id")
    if filters.status == "open":
        query = query.where(Ticket.status != "closed")
    elif filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.service_code:
        query = query.where(Ticket.service_code == filters.service_code)
    if filters.community_id:
        query = query.where(Ticket.community_id == filters.community_id)
    if filters.overdue_only:
        query = query.where(overdue_clause(now))
    return query


def _ordered(query, now: datetime):
    """Late tickets first, then those still being worked on, then the rest; newest first."""
    stage = case(
        (overdue_clause(now), 0),
        (Ticket.status.in_((*PENDING_STATUSES, "served")), 1),
        else_=2,
    )
    return query.order_by(stage, Ticket.received_at.desc(), Ticket.id.desc())


def queue_page(actor: User, filters: TicketFilters, page: int = 1, per_page: int = 20) -> Page:
    """Return tickets for the command centre and reviewers: overdue first, then by deadline."""
    if not has_role(actor, *STAFF_ROLES):
        raise Forbidden("只有调度员或审核员可以查看工单。")
    now = utcnow()
    query = select(Ticket).options(selectinload(Ticket.team), selectinload(Ticket.community))
    return paginate(_ordered(_filtered(query, filters, now), now), page, per_page)


def team_queue_page(actor: User, status: str | None = None, page: int = 1) -> Page:
    """Return the tickets of the teams the actor leads (cadre leader or member co-leader)."""
    if not has_role(actor, "community", "member"):
        raise Forbidden("只有服务队负责人可以查看派单。")
    now = utcnow()
    team_ids = teams_acted_for(actor)
    query = (
        select(Ticket)
        .options(selectinload(Ticket.team), selectinload(Ticket.community))
        .where(Ticket.team_id.in_(team_ids or [0]))
    )
    return paginate(_ordered(_filtered(query, TicketFilters(status=status), now), now), page, 20)


def ticket_for_viewer(actor: User | None, ticket_id) -> tuple[Ticket, bool]:
    """Return a ticket and whether the viewer may see its caller (staff or the team)."""
    from marketplace.services.hotline.hotline import get_ticket
    from marketplace.services.hotline.hotline_teams import acts_for

    ticket = get_ticket(ticket_id)
    staff = signed_in(actor) and (
        has_role(actor, *STAFF_ROLES) or (ticket.team is not None and acts_for(actor, ticket.team))
    )
    return ticket, bool(staff)


def _mark(now: datetime, stage: str, condition) -> list[int]:
    ids = list(db.session.scalars(select(Ticket.id).where(condition)))
    marked = []
    for ticket_id in ids:
        changed = db.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, condition)
            .values(overdue_stage=stage, overdue_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            marked.append(ticket_id)
    return marked


def mark_overdue_tickets(now: datetime | None = None) -> int:
    """Mark and notify tickets that became late, once per stage; return how many (idempotent)."""
    now = now or utcnow()
    late_dispatch = and_(
        Ticket.status == "received", Ticket.dispatch_due_at < now, Ticket.overdue_stage.is_(None)
    )
    late_service = and_(
        Ticket.status.in_(PENDING_STATUSES),
        Ticket.serve_due_at < now,
        or_(Ticket.overdue_stage.is_(None), Ticket.overdue_stage == "dispatch"),
    )
    stages = [("dispatch", i) for i in _mark(now, "dispatch", late_dispatch)]
    stages += [("serve", i) for i in _mark(now, "serve", late_service)]
    watchers = dispatchers()
    for stage, ticket_id in stages:
        ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
        what = "未在时限内派单" if stage == "dispatch" else "未在时限内完成服务"
        db.session.add(
            TicketEvent(
                ticket_id=ticket.id,
                action="overdue",
                from_status=ticket.status,
                to_status=ticket.status,
                team_id=ticket.team_id,
                note=what,
                at=now,
            )
        )
        audit.record(
            "hotline.overdue", obj=ticket, after={"overdue_stage": stage}, username="system"
        )
        users = list(watchers)
        if ticket.team_id is not None:
            team = db.session.get(Team, ticket.team_id)
            users += [team.leader] if team.leader is not None else []
        notify(users, "hotline.overdue", f"工单 #{ticket.id}（{ticket.service_name}）{what}。")
    db.session.commit()
    return len(stages)
