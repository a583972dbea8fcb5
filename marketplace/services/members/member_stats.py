"""Members' figures per unit and per community: 报到率, 选岗率, checklist completion, hours.

报到率 is a unit's reported members over its party members (``Unit.party_members``);
选岗率 is reported members holding a post over reported members; checklist completion is
reported members with all five items done over reported members.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Community, Member, MemberReport, Post, Team, Unit, User
from marketplace.services.access import require_role
from marketplace.services.members import checklist


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class RateRow:
    id: int
    name: str
    expected: int = 0  # party members (units) or the seed's floor of 20 (communities)
    registered: int = 0
    reported: int = 0
    with_post: int = 0
    complete: int = 0
    items_done: int = 0  # checklist items done, summed over reported members
    hours: float = 0.0

    @property
    def report_rate(self) -> float:
        return _rate(self.reported, self.expected)

    @property
    def post_rate(self) -> float:
        return _rate(self.with_post, self.reported)

    @property
    def completion_rate(self) -> float:
        return _rate(self.complete, self.reported)

    @property
    def items_rate(self) -> float:
        """Checklist items done over items due (five per reported member)."""
        return _rate(self.items_done, self.reported * len(checklist.ITEMS))


COMMUNITY_FLOOR = 20  # 「确保每个城市社区至少有20名在职党员」: every community's floor


def _member_facts(year: int):
    members = db.session.execute(
        select(Member.id, Member.unit_id, Member.community_id, Member.post_id)
    ).all()
    reported_ids = [m.id for m in members if m.community_id is not None]
    done = checklist.done_counts(reported_ids, year)
    hours = checklist.hours_by_member(reported_ids, year)
    return members, done, hours


def _add(row: RateRow, member, done: dict, hours: dict) -> None:
    row.registered += 1
    if member.community_id is None:
        return
    row.reported += 1
    row.with_post += member.post_id is not None
    row.complete += done.get(member.id, 0) == len(checklist.ITEMS)
    row.items_done += done.get(member.id, 0)
    row.hours += hours.get(member.id, 0.0)


def unit_rates(year: int) -> list[RateRow]:
    """Return every unit's figures for ``year``."""
    members, done, hours = _member_facts(year)
    rows = {
        unit.id: RateRow(unit.id, unit.name, expected=unit.party_members)
        for unit in db.session.scalars(select(Unit).order_by(Unit.name))
    }
    for member in members:
        _add(rows[member.unit_id], member, done, hours)
    return list(rows.values())


def community_rates(year: int) -> list[RateRow]:
    """Return every community's figures for ``year``."""
    members, done, hours = _member_facts(year)
    rows = {
        community.id: RateRow(community.id, community.name, expected=COMMUNITY_FLOOR)
        for community in db.session.scalars(select(Community).order_by(Community.id))
    }
    for member in members:
        if member.community_id is not None:
            _add(rows[member.community_id], member, done, hours)
    return list(rows.values())


def totals(rows: list[RateRow]) -> RateRow:
    """Return the sum of ``rows`` as one row."""
    total = RateRow(0, "合计")
    for row in rows:
        keys = (
            "expected",
            "registered",
            "reported",
            "with_post",
            "complete",
            "items_done",
            "hours",
        )
        for key in keys:
            setattr(total, key, getattr(total, key) + getattr(row, key))
    return total


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
