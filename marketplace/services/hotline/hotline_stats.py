"""The hotline dashboard: tickets per day and kind, median times, overdue, satisfaction, teams."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.errors import Forbidden, InvalidInput
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models._common import utcnow
from marketplace.models.hotline import SERVICE_NAMES, Ticket
from marketplace.services.access import has_role
from marketplace.services.hotline.hotline_queries import STAFF_ROLES, overdue_clause

PERIODS = (30, 90, 365)


@dataclass
class TeamRow:
    name: str
    community: str
    tickets: int = 0
    served: int = 0
    hours_to_serve: list[float] = field(default_factory=list)
    satisfaction: list[int] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return round(median(self.hours_to_serve), 1) if self.hours_to_serve else None

    @property
    def mean_satisfaction(self) -> float | None:
        return (
            round(sum(self.satisfaction) / len(self.satisfaction), 2) if self.satisfaction else None
        )


@dataclass
class Dashboard:
    days: int
    start: date
    total: int
    per_day: list[tuple[date, int]]
    per_kind: list[tuple[str, int]]
    median_dispatch_minutes: float | None
    median_serve_hours: float | None
    overdue_now: int
    marked_overdue: int
    served: int
    resolved: int
    satisfaction: dict[int, int]
    mean_satisfaction: float | None
    teams: list[TeamRow]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def dashboard(actor: User, days: int = 90, now: datetime | None = None) -> Dashboard:
    """Return the figures of the last ``days`` days (dispatchers and reviewers)."""
    if not has_role(actor, *STAFF_ROLES):
        raise Forbidden("只有调度员或审核员可以查看统计。")
    if days not in PERIODS:
        raise InvalidInput("统计周期无效。", field="days")
    now = now or utcnow()
    today = clock.local(now).date()
    start = today - timedelta(days=days - 1)
    since = clock.day_bounds(start)[0]
    tickets = list(
        db.session.scalars(
            select(Ticket)
            .options(selectinload(Ticket.team))
            .where(Ticket.received_at >= since)
            .order_by(Ticket.id)
        )
    )
    per_day = Counter(clock.local(t.received_at).date() for t in tickets)
    kinds = Counter(t.service_code for t in tickets)
    dispatch_minutes, serve_hours = [], []
    teams: dict[int, TeamRow] = {}
    for ticket in tickets:
        received = _aware(ticket.received_at)
        if ticket.first_dispatched_at:
            dispatch_minutes.append(
                (_aware(ticket.first_dispatched_at) - received).total_seconds() / 60
            )
        if ticket.served_at:
            serve_hours.append((_aware(ticket.served_at) - received).total_seconds() / 3600)
        if ticket.team is not None:
            row = teams.setdefault(
                ticket.team_id, TeamRow(ticket.team.name, ticket.team.community.name)
            )
            row.tickets += 1
            if ticket.served_at:
                row.served += 1
                row.hours_to_serve.append(serve_hours[-1])
            if ticket.satisfaction:
                row.satisfaction.append(ticket.satisfaction)
    scores = [t.satisfaction for t in tickets if t.satisfaction]
    overdue_now = db.session.scalar(
        select(db.func.count()).select_from(Ticket).where(overdue_clause(now))
    )
    return Dashboard(
        days=days,
        start=start,
        total=len(tickets),
        per_day=[(start + timedelta(d), per_day.get(start + timedelta(d), 0)) for d in range(days)],
        per_kind=[(SERVICE_NAMES[code], n) for code, n in kinds.most_common()],
        median_dispatch_minutes=round(median(dispatch_minutes), 1) if dispatch_minutes else None,
        median_serve_hours=round(median(serve_hours), 1) if serve_hours else None,
        overdue_now=overdue_now or 0,
        marked_overdue=sum(1 for t in tickets if t.overdue_stage),
        served=sum(1 for t in tickets if t.served_at),
        resolved=sum(1 for t in tickets if t.resolved),
        satisfaction={score: scores.count(score) for score in range(1, 6)},
        mean_satisfaction=round(sum(scores) / len(scores), 2) if scores else None,
        teams=sorted(teams.values(), key=lambda r: (-r.tickets, r.name))[:30],
    )
