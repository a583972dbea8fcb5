"""Compliance (对接活动达标): one judgement of a pair-quarter, and of a unit's year.

Every pair shall hold at least one activity a quarter. A pair counts for a quarter when
it was in force during any part of it (``services/pairing/plan_history.py``), and the
activities it held while in force count for it, so a pair dropped mid-quarter keeps what
it did. A pair in force for fewer than ``MIN_DAYS_DUE`` days of a quarter is not due
for it, unless it held a confirmed activity then (which counts). The matrix page, its
Excel export, the API and the assessment all read these functions.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import PairActivity, PlanPair
from marketplace.services.oversight.oversight_calendar import (
    QUARTERS,
    Quarter,
    county_today,
    quarter_of,
    year_quarters,
)
from marketplace.services.pairing.plan_history import PairKey, PairLife, pair_lives

COMPLIANCE_STATUSES = {
    "confirmed": "已确认",
    "logged": "已登记待确认",
    "missing": "未开展",
    "running": "本季度进行中",
    "not_due": "不考核（结对不足30天）",
    "unpaired": "当季未结对",
}
# Statuses of a pair that was due for the quarter (the others excuse it).
DUE_STATUSES = ("confirmed", "logged", "missing", "running")
MIN_DAYS_DUE = 30


def pair_quarter_status(
    life: PairLife, activities: list[PairActivity], quarter: Quarter, today: date
) -> str:
    """Return a pair's status for a quarter from its life and its activities in it."""
    days = life.days_within(quarter.starts_on, quarter.ends_on)
    if days == 0:
        return "unpaired"
    statuses = {a.status for a in activities if life.in_force_on(a.held_on)}
    if "confirmed" in statuses:
        return "confirmed"
    if days < MIN_DAYS_DUE:
        return "not_due"
    if "logged" in statuses:
        return "logged"
    return "missing" if quarter.is_over(today) else "running"


@dataclass
class PairRow:
    pair: PlanPair
    cells: dict[int, str] = field(default_factory=dict)  # quarter → status
    counts: dict[int, int] = field(default_factory=dict)  # quarter → activities in force

    @property
    def compliant_quarters(self) -> int:
        return sum(1 for status in self.cells.values() if status == "confirmed")


def _activities_by_pair(keys, year: int) -> dict[PairKey, dict[int, list[PairActivity]]]:
    found: dict[PairKey, dict[int, list[PairActivity]]] = {}
    if not keys:
        return found
    rows = db.session.scalars(
        select(PairActivity).where(
            PairActivity.community_id.in_({community for _unit, community in keys}),
            PairActivity.held_on.between(date(year, 1, 1), date(year, 12, 31)),
        )
    )
    for activity in rows:
        quarters = found.setdefault((activity.unit_id, activity.community_id), {})
        quarters.setdefault(quarter_of(activity.held_on).number, []).append(activity)
    return found


def compliance(community_ids=None, year: int | None = None, today=None) -> list[PairRow]:
    """Return every pair of the communities in force during ``year``, judged by quarter."""
    today = today or county_today()
    year = year or today.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    lives = {
        key: life
        for key, life in pair_lives(community_ids).items()
        if life.days_within(first, last) > 0
    }
    found = _activities_by_pair(lives, year)
    rows = []
    for key, life in lives.items():
        row = PairRow(life.pair)
        for quarter in year_quarters(year):
            activities = found.get(key, {}).get(quarter.number, [])
            row.cells[quarter.number] = pair_quarter_status(life, activities, quarter, today)
            row.counts[quarter.number] = sum(1 for a in activities if life.in_force_on(a.held_on))
        rows.append(row)
    return rows


@dataclass
class UnitYear:
    """A unit's year: the quarters it complied in, and those it was due in."""

    compliant: set[int] = field(default_factory=set)
    due: set[int] = field(default_factory=set)

    def eligible(self, needed: int) -> bool:
        """Say whether the unit meets a "compliant in ``needed`` quarters" rule.

        Quarters in which none of its pairs was due (not yet paired, or paired for
        fewer than the minimum days) excuse it; a unit never judged is not eligible.
        """
        excused = len(QUARTERS) - len(self.due | self.compliant)
        return bool(self.compliant) and len(self.compliant) + excused >= needed


def unit_years(year: int, today: date | None = None) -> dict[int, UnitYear]:
    """Return per unit its compliant and due quarters of ``year`` (any pair confirmed)."""
    years: dict[int, UnitYear] = {}
    for row in compliance(None, year, today):
        entry = years.setdefault(row.pair.unit_id, UnitYear())
        for number, status in row.cells.items():
            if status == "confirmed":
                entry.compliant.add(number)
            if status in DUE_STATUSES:
                entry.due.add(number)
    return years
