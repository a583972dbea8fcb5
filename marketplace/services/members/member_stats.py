"""Members' figures per unit and per community: 报到率, 选岗率, checklist completion, hours.

Each figure is one function here, used by the reviewers' page, its Excel export, the API
and the annual assessment, and every rate is a ``Rate`` that carries its numerator and
denominator, so a page shows both and no rate can pass 100 %:

- 报到率 of a unit: its registered members who reported to a community / its registered
  members. Of a community: members reported to it / members who may report to it, that is
  those reported to it plus the not yet reported members of its paired units or living in
  it (the communities a member may report to, ``members.report_choices``).
- 选岗率: reported members holding a post / reported members.
- 清单完成率: reported members with all five items done / reported members.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Community, Member, MemberReport, Post, Team, Unit, User
from marketplace.services.access import has_role, require_role
from marketplace.services.members import checklist
from marketplace.services.oversight.oversight_scope import (
    overseen_communities,
    paired_unit_ids,
    published_pairs,
)


@dataclass(frozen=True)
class Rate:
    """A share with its parts: ``part`` of ``whole`` (0 when there is no whole)."""

    part: int
    whole: int

    @property
    def share(self) -> float:
        return self.part / self.whole if self.whole else 0.0

    @property
    def percent(self) -> float:
        """The share in % (0–100), one decimal, as the API and the assessment give it."""
        return round(100 * self.share, 1)


@dataclass
class RateRow:
    id: int
    name: str
    expected: int = 0  # who should report: a unit's registered members, a community's eligible
    registered: int = 0
    reported: int = 0
    with_post: int = 0
    complete: int = 0
    items_done: int = 0  # checklist items done, summed over reported members
    hours: float = 0.0

    @property
    def report_rate(self) -> Rate:
        return Rate(self.reported, self.expected)

    @property
    def post_rate(self) -> Rate:
        return Rate(self.with_post, self.reported)

    @property
    def completion_rate(self) -> Rate:
        return Rate(self.complete, self.reported)

    @property
    def items_rate(self) -> Rate:
        """Checklist items done over items due (five per reported member)."""
        return Rate(self.items_done, self.reported * len(checklist.ITEMS))


def _member_facts(year: int, unit_id: int | None = None):
    query = select(
        Member.id, Member.unit_id, Member.community_id, Member.home_community_id, Member.post_id
    )
    if unit_id is not None:
        query = query.where(Member.unit_id == unit_id)
    members = db.session.execute(query).all()
    reported_ids = [m.id for m in members if m.community_id is not None]
    done = checklist.done_counts(reported_ids, year)
    hours = checklist.hours_by_member(reported_ids, year)
    return members, done, hours


def _add(row: RateRow, member, done: dict, hours: dict) -> None:
    row.registered += 1
    row.expected += 1
    if member.community_id is None:
        return
    row.reported += 1
    row.with_post += member.post_id is not None
    row.complete += done.get(member.id, 0) == len(checklist.ITEMS)
    row.items_done += done.get(member.id, 0)
    row.hours += hours.get(member.id, 0.0)


def unit_rates(year: int, unit_id: int | None = None) -> list[RateRow]:
    """Return every unit's figures for ``year`` (报到率 over its registered members)."""
    members, done, hours = _member_facts(year, unit_id)
    units = select(Unit).order_by(Unit.name)
    if unit_id is not None:
        units = units.where(Unit.id == unit_id)
    rows = {unit.id: RateRow(unit.id, unit.name) for unit in db.session.scalars(units)}
    for member in members:
        _add(rows[member.unit_id], member, done, hours)
    return list(rows.values())


def own_unit_rates(actor: User, year: int) -> RateRow:
    """Return the secretary's unit row, the same figures reviewers see."""
    require_role(actor, "unit")
    return unit_rates(year, actor.unit_id)[0]


def _may_report_to(members) -> dict[int, set[int]]:
    """Return, per community, the not yet reported members who may report to it."""
    communities_of_unit: dict[int, set[int]] = defaultdict(set)
    for pair in published_pairs():
        communities_of_unit[pair.unit_id].add(pair.community_id)
    eligible: dict[int, set[int]] = defaultdict(set)
    for member in members:
        if member.community_id is not None:
            continue
        choices = set(communities_of_unit.get(member.unit_id, ()))
        if member.home_community_id is not None:
            choices.add(member.home_community_id)
        for community_id in choices:
            eligible[community_id].add(member.id)
    return eligible


def community_rates(year: int) -> list[RateRow]:
    """Return every community's figures for ``year`` (报到率 over who may report to it)."""
    members, done, hours = _member_facts(year)
    rows = {
        community.id: RateRow(community.id, community.name)
        for community in db.session.scalars(select(Community).order_by(Community.id))
    }
    for member in members:
        if member.community_id is not None:
            _add(rows[member.community_id], member, done, hours)
    for community_id, waiting in _may_report_to(members).items():
        if community_id in rows:
            rows[community_id].expected += len(waiting)
    return list(rows.values())


def totals(rows: list[RateRow], *, expected: int | None = None) -> RateRow:
    """Return the sum of ``rows`` as one row (``expected``: the county's own denominator)."""
    total = RateRow(0, "合计")
    keys = ("expected", "registered", "reported", "with_post", "complete", "items_done", "hours")
    for row in rows:
        for key in keys:
            setattr(total, key, getattr(total, key) + getattr(row, key))
    if expected is not None:
        total.expected = expected
    return total


def overseen_unit_rates(actor: User, year: int) -> list[RateRow]:
    """Return the unit rows a reviewer (every unit) or a township (its communities' units) sees."""
    communities = overseen_communities(actor)
    rows = unit_rates(year)
    if has_role(actor, "reviewer"):
        return rows
    units = paired_unit_ids([community.id for community in communities])
    return [row for row in rows if row.id in units]


def rates_json(row: RateRow) -> dict:
    """Return a unit's row as the API gives it: counts and rates in % (0–100)."""
    return {
        "unit_id": row.id,
        "name": row.name,
        "registered": row.registered,
        "reported": row.reported,
        "with_post": row.with_post,
        "checklist_complete": row.complete,
        "report_rate": row.report_rate.percent,
        "post_rate": row.post_rate.percent,
        "checklist_rate": row.completion_rate.percent,
    }


@dataclass
class MemberLine:
    member: Member
    report: MemberReport | None
    done: int
    hours: float


def unit_members(actor: User, year: int) -> list[MemberLine]:
    """Return the secretary's members with report status, checklist and hours."""
    require_role(actor, "unit")
    members = list(
        db.session.scalars(
            select(Member).where(Member.unit_id == actor.unit_id).order_by(Member.id)
        )
    )
    ids = [member.id for member in members]
    latest: dict[int, MemberReport] = {}
    for entry in db.session.scalars(
        select(MemberReport).where(MemberReport.member_id.in_(ids)).order_by(MemberReport.id)
    ):
        latest[entry.member_id] = entry
    done = checklist.done_counts(ids, year)
    hours = checklist.hours_by_member(ids, year)
    return [
        MemberLine(member, latest.get(member.id), done.get(member.id, 0), hours.get(member.id, 0))
        for member in members
    ]


def county_counts() -> dict[str, int]:
    """Return the county-wide counts the stats API adds."""
    return {
        "members_reported": db.session.scalar(
            select(func.count()).select_from(Member).where(Member.community_id.is_not(None))
        ),
        "posts": db.session.scalar(select(func.count()).select_from(Post)),
        "teams": db.session.scalar(select(func.count()).select_from(Team)),
    }


def team_sizes(community_id: int) -> dict[int, int]:
    """Return the number of members per team of a community."""
    sizes: dict[int, int] = defaultdict(int)
    for (team_id,) in db.session.execute(
        select(Member.team_id).where(
            Member.community_id == community_id, Member.team_id.is_not(None)
        )
    ):
        sizes[team_id] += 1
    return dict(sizes)


def unit_sheet(year: int) -> tuple[list[RateRow], RateRow]:
    """Return the unit rows of ``year`` and their total (the page and the export)."""
    rows = unit_rates(year)
    return rows, totals(rows)


def community_sheet(year: int) -> tuple[list[RateRow], RateRow]:
    """Return the community rows of ``year`` and their total.

    The total's denominator is the county's registered members (a member who may report to
    two communities is counted once), so the county's 报到率 equals the units' total.
    """
    rows = community_rates(year)
    registered = db.session.scalar(select(func.count()).select_from(Member))
    return rows, totals(rows, expected=registered)
