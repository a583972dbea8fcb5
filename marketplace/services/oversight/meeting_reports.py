"""The meeting matrix: which communities and townships held their monthly joint meeting.

Communities and townships meet monthly, the county quarterly. A cell is
``held`` (with how many meetings), ``missing`` when the month is over without one,
``running`` for the current month and ``future`` after it.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Community, JointMeeting, Township, User
from marketplace.services.oversight.oversight_calendar import MONTHS
from marketplace.services.oversight.oversight_scope import overseen_communities

MEETING_CELL_STATUSES = {
    "held": "已召开",
    "missing": "未召开",
    "running": "本月进行中",
    "future": "未到",
}


@dataclass
class MeetingRow:
    kind: str  # community | township
    id: int
    name: str
    cells: dict[int, str] = field(default_factory=dict)  # month → status
    counts: dict[int, int] = field(default_factory=dict)


def _cell(year: int, month: int, count: int, today: date) -> str:
    if count:
        return "held"
    if (year, month) < (today.year, today.month):
        return "missing"
    return "running" if (year, month) == (today.year, today.month) else "future"


def _counts(column, ids, year: int) -> dict[tuple[int, int], int]:
    if not ids:
        return {}
    month = func.extract("month", JointMeeting.held_on)
    rows = db.session.execute(
        select(column, month, func.count())
        .where(
            column.in_(list(ids)),
            JointMeeting.held_on.between(date(year, 1, 1), date(year, 12, 31)),
            JointMeeting.status == "held",  # an announced meeting counts once recorded
        )
        .group_by(column, month)
    )
    return {(host_id, int(number)): count for host_id, number, count in rows}


def meeting_matrix(actor: User, year: int, today: date | None = None) -> list[MeetingRow]:
    """Return the townships' and communities' rows of months for the actor's area."""
    today = today or clock.today()
    communities: list[Community] = overseen_communities(actor)
    township_ids = sorted({community.township_id for community in communities})
    townships = (
        db.session.scalars(select(Township).where(Township.id.in_(township_ids))).all()
        if township_ids
        else []
    )
    rows = []
    township_counts = _counts(JointMeeting.township_id, township_ids, year)
    community_counts = _counts(JointMeeting.community_id, [c.id for c in communities], year)
    for township in sorted(townships, key=lambda t: t.id):
        rows.append(_row("township", township.id, township.name, township_counts, year, today))
        for community in communities:
            if community.township_id == township.id:
                rows.append(
                    _row("community", community.id, community.name, community_counts, year, today)
                )
    return rows


def _row(kind, host_id, name, counts, year, today) -> MeetingRow:
    row = MeetingRow(kind, host_id, name)
    for month in MONTHS:
        count = counts.get((host_id, month), 0)
        row.counts[month] = count
        row.cells[month] = _cell(year, month, count, today)
    return row


def county_meetings_by_quarter(year: int) -> dict[int, int]:
    """Return how many county-level meetings were held in each quarter of ``year``."""
    counts = {quarter: 0 for quarter in (1, 2, 3, 4)}
    days = db.session.scalars(
        select(JointMeeting.held_on).where(
            JointMeeting.level == "county",
            JointMeeting.held_on.between(date(year, 1, 1), date(year, 12, 31)),
            JointMeeting.status == "held",  # an announced meeting counts once recorded
        )
    )
    for day in days:
        counts[(day.month - 1) // 3 + 1] += 1
    return counts
