"""The parts of the annual assessment (年度考核): a registry of small provider functions.

Each part is ``(name, label, provider)`` where ``provider(year)`` returns
``{unit_id: value}`` for the units that have a value (missing units count 0). The score
of a unit is Σ value × weight, with the weights set by reviewers per year
(``services/oversight/assessment.py``). Values are shown as they are, so a reviewer can see what
each part contributes.

Parts computed here: quarters compliant, meeting attendance, projects completed, their
ratings; and the two-way ratings (``register_rating_parts``): the communities' yearly
grades of the unit and how fully the unit rated the communities in turn. Parts whose
features live in other domains are registered in
``register_later_parts`` (imported lazily, so this module loads first):

- ``member_report_rate``   党员报到率 (%)          — party members
- ``checklist_completion`` 年度清单完成率 (%)      — the yearly checklist
- ``wishes_fulfilled``     微心愿认领完成数        — small wishes
- ``hotline_tickets``      志愿服务110工单办结数   — the hotline
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, func, select

from marketplace.extensions import db
from marketplace.models import Claim, Evaluation, JointMeeting, MeetingAttendance

Provider = Callable[[int], dict[int, float]]


@dataclass(frozen=True)
class AssessmentPart:
    name: str
    label: str
    provider: Provider
    default_weight: float = 1.0
    hint: str = ""  # how the value is measured, shown next to it


PARTS: dict[str, AssessmentPart] = {}


def register_part(
    name: str, label: str, provider: Provider, *, default_weight: float = 1.0, hint: str = ""
) -> AssessmentPart:
    """Add (or replace) a part of the assessment; its position is its registration order."""
    part = AssessmentPart(name, label, provider, default_weight, hint)
    PARTS[name] = part
    return part


def registered_parts() -> list[AssessmentPart]:
    """Return the parts in the order they were registered."""
    return list(PARTS.values())


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def quarters_compliant(year: int) -> dict[int, float]:
    """Quarters of the year in which a pair of the unit, in force, held a confirmed activity."""
    from marketplace.services.oversight.compliance import unit_years

    return {unit: float(len(entry.compliant)) for unit, entry in unit_years(year).items()}


def meeting_attendance(year: int) -> dict[int, float]:
    """Share of the joint meetings the unit was invited to that it attended (%)."""
    start, end = _year_bounds(year)
    rows = db.session.execute(
        select(
            MeetingAttendance.unit_id,
            func.count(),
            func.sum(case((MeetingAttendance.present.is_(True), 1), else_=0)),
        )
        .join(JointMeeting, JointMeeting.id == MeetingAttendance.meeting_id)
        .where(JointMeeting.held_on >= start.date(), JointMeeting.held_on < end.date())
        .where(JointMeeting.status == "held")
        .group_by(MeetingAttendance.unit_id)
    )
    return {unit: round(100.0 * (present or 0) / invited, 1) for unit, invited, present in rows}


def projects_completed(year: int) -> dict[int, float]:
    """Claims the unit finished (marked done by the community) in the year."""
    start, end = _year_bounds(year)
    rows = db.session.execute(
        select(Claim.unit_id, func.count())
        .where(Claim.status == "done", Claim.updated_at >= start, Claim.updated_at < end)
        .group_by(Claim.unit_id)
    )
    return {unit: float(count) for unit, count in rows}


def project_ratings(year: int) -> dict[int, float]:
    """The average stars (1–5) communities gave the unit's finished projects in the year."""
    start, end = _year_bounds(year)
    rows = db.session.execute(
        select(Claim.unit_id, func.avg(Evaluation.stars))
        .join(Evaluation, Evaluation.claim_id == Claim.id)
        .where(Evaluation.created_at >= start, Evaluation.created_at < end)
        .group_by(Claim.unit_id)
    )
    return {unit: round(float(average), 2) for unit, average in rows}


def register_builtin_parts() -> None:
    """Register the parts this module computes."""
    register_part(
        "quarters_compliant",
        "对接活动达标季度",
        quarters_compliant,
        default_weight=10.0,
        hint="结对期间有经确认对接活动的季度数（0–4；结对不足30天的季度不考核）",
    )
    register_part(
        "meeting_attendance",
        "联席会议出席率",
        meeting_attendance,
        default_weight=0.2,
        hint="受邀会议中出席的比例（%）",
    )
    register_part(
        "projects_completed",
        "完成项目数",
        projects_completed,
        default_weight=2.0,
        hint="本年度完成的认领项目（个）",
    )
    register_part(
        "project_ratings",
        "项目评价",
        project_ratings,
        default_weight=4.0,
        hint="社区对已完成项目的平均星级（1–5）",
    )


def member_report_rate(year: int) -> dict[int, float]:
    """The unit's registered members reported to a community, in % (the rates page's)."""
    from marketplace.services.members.member_stats import unit_rates

    return {row.id: row.report_rate.percent for row in unit_rates(year)}


def checklist_completion(year: int) -> dict[int, float]:
    """Reported members who completed the five yearly items, in % (the rates page's)."""
    from marketplace.services.members.member_stats import unit_rates

    return {row.id: row.completion_rate.percent for row in unit_rates(year)}


def wishes_fulfilled(year: int) -> dict[int, float]:
    """Wishes fulfilled in the year by the unit or by its members."""
    from marketplace.models.wishes import Wish

    start, end = _year_bounds(year)
    rows = db.session.execute(
        select(Wish.claimer_unit_id, func.count())
        .where(
            Wish.status.in_(("fulfilled", "confirmed")),
            Wish.claimer_unit_id.is_not(None),
            Wish.fulfilled_at >= start,
            Wish.fulfilled_at < end,
        )
        .group_by(Wish.claimer_unit_id)
    )
    return {unit_id: float(count) for unit_id, count in rows}


def hotline_tickets_served(year: int) -> dict[int, float]:
    """志愿服务110 tickets in the year that the unit's members served."""
    from marketplace.models import Member, ServiceRecord

    rows = db.session.execute(
        select(Member.unit_id, func.count(func.distinct(ServiceRecord.source_id)))
        .join(Member, Member.id == ServiceRecord.member_id)
        .where(
            ServiceRecord.source_kind == "hotline",
            ServiceRecord.served_on >= date(year, 1, 1),
            ServiceRecord.served_on < date(year + 1, 1, 1),
        )
        .group_by(Member.unit_id)
    )
    return {unit_id: float(count) for unit_id, count in rows}


def register_later_parts() -> None:
    """Register the parts whose features live in other domains (members, wishes, hotline)."""
    register_part(
        "member_report_rate",
        "党员报到率",
        member_report_rate,
        default_weight=0.1,
        hint="已报到 / 本单位已登记的在职党员（%）",
    )
    register_part(
        "checklist_completion",
        "年度清单完成率",
        checklist_completion,
        default_weight=0.1,
        hint="已报到党员中完成年度“五个一”的比例（%）",
    )
    register_part(
        "wishes_fulfilled",
        "微心愿完成数",
        wishes_fulfilled,
        default_weight=1.0,
        hint="本单位及其党员本年度完成的微心愿（个）",
    )
    register_part(
        "hotline_tickets",
        "志愿服务110工单",
        hotline_tickets_served,
        default_weight=1.0,
        hint="本单位党员参与办结的110工单（件）",
    )


def unit_grades(year: int) -> dict[int, float]:
    """The average stars (1–5) the unit's paired communities gave it in the yearly grading."""
    from marketplace.models import UnitGrade

    rows = db.session.execute(
        select(UnitGrade.unit_id, func.avg(UnitGrade.stars))
        .where(UnitGrade.year == year)
        .group_by(UnitGrade.unit_id)
    )
    return {unit: round(float(average), 2) for unit, average in rows}


def two_way_reviews(year: int) -> dict[int, float]:
    """Of the ratings a unit owes for the year — the community's support on each project it
    finished, and each community it was paired with — the share it gave (%)."""
    from marketplace.models import CommunityRating, SupportRating
    from marketplace.services.oversight.annual_grades import year_pairs

    start, end = _year_bounds(year)
    owed: dict[int, int] = {}
    given: dict[int, int] = {}
    finished = db.session.execute(
        select(Claim.unit_id, func.count(), func.count(SupportRating.id))
        .outerjoin(SupportRating, SupportRating.claim_id == Claim.id)
        .where(Claim.status == "done", Claim.updated_at >= start, Claim.updated_at < end)
        .group_by(Claim.unit_id)
    )
    for unit, count, rated in finished:
        owed[unit], given[unit] = count, rated
    graded = set(
        db.session.execute(
            select(CommunityRating.unit_id, CommunityRating.community_id).where(
                CommunityRating.year == year
            )
        ).all()
    )
    for unit, community in year_pairs(year):
        owed[unit] = owed.get(unit, 0) + 1
        given[unit] = given.get(unit, 0) + ((unit, community) in graded)
    return {unit: round(100.0 * given.get(unit, 0) / count, 1) for unit, count in owed.items()}


def register_rating_parts() -> None:
    """Register the two-way ratings: the communities' yearly grades of the unit, and how
    fully the unit rated its side (its projects' community support, its communities)."""
    register_part(
        "unit_grades",
        "社区年度评议",
        unit_grades,
        default_weight=4.0,
        hint="结对社区年度评议本单位的平均星级（1–5）",
    )
    register_part(
        "two_way_reviews",
        "双向评议完成率",
        two_way_reviews,
        default_weight=0.05,
        hint="本单位应评价的已完成项目和结对社区中已评价的比例（%）",
    )


register_builtin_parts()
register_later_parts()
register_rating_parts()


def pledge_fulfilment(year: int) -> dict[int, float]:
    """Contributions over the unit's pledges in the year (%, at most 100)."""
    from marketplace.services.funds.fund_totals import sums

    return {
        unit_id: min(100.0, totals.pledge_rate)
        for unit_id, totals in sums(year, by="unit").items()
        if totals.pledge_rate is not None
    }


def committee_attendance(year: int) -> dict[int, float]:
    """Share of joint meetings attended by the unit's 兼职委员 when invited (%)."""
    from marketplace.services.committee.committee_attendance import attendance_rates

    return attendance_rates(year, by="unit")


def register_funds_parts() -> None:
    """Register the parts of the funds ledger and the 大党委."""
    register_part(
        "pledge_fulfilment",
        "帮扶经费到位率",
        pledge_fulfilment,
        default_weight=0.1,
        hint="本年度帮扶资金和物资到位额占承诺额的比例（%，最高 100）",
    )
    register_part(
        "committee_attendance",
        "兼职委员出席率",
        committee_attendance,
        default_weight=0.1,
        hint="本单位兼职委员受邀出席社区联席会议的比例（%）",
    )


register_funds_parts()
