"""The yearly two-way grading (履职双向考核评议): each community grades each unit paired
with it (社区评价部门), each unit grades each community it is paired with.

Who grades whom is read from the pairing plans in force during the year (published or
superseded since): a pair that held for any part of the year is graded that year. Each
side grades each pair once a year, 1–5 stars with a comment; a year still to come cannot
be graded.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.errors import Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.models import Community, CommunityRating, Unit, UnitGrade, User
from marketplace.services import audit
from marketplace.services.access import MAX_ID, has_role, require_role
from marketplace.services.fields import RATING, FieldReader
from marketplace.services.notifications import notify, staff_of
from marketplace.services.oversight.oversight_calendar import check_year, county_today
from marketplace.services.pairing.plan_history import pair_lives

GRADES_URL = "/annual-grades/"


def year_pairs(year: int) -> set[tuple[int, int]]:
    """Return the (unit_id, community_id) pairs in force during any part of ``year``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return {key for key, life in pair_lives().items() if life.days_within(first, last) > 0}


@dataclass
class GradeRow:
    """One pair the actor grades in a year: the other side and the grade given, if any."""

    other_id: int
    other_name: str
    grade: UnitGrade | CommunityRating | None


def _year(data: dict, reader: FieldReader) -> int | None:
    raw = data.get("year")
    if raw in (None, ""):
        return county_today().year
    try:
        year = check_year(raw)
    except InvalidInput as error:
        reader.fail("year", error.message)
        return None
    if year > county_today().year:
        reader.fail("year", "不能评议尚未到来的年度。")
        return None
    return year


def grade(actor: User, data: dict) -> UnitGrade | CommunityRating:
    """Record the actor's yearly grade: a community grades a unit (``unit_id``), a unit
    grades a community (``community_id``); once per pair and year."""
    require_role(actor, "community", "unit")
    grades_unit = has_role(actor, "community")
    key, label = ("unit_id", "结对单位") if grades_unit else ("community_id", "结对社区")
    reader = FieldReader(data)
    year = _year(data, reader)
    other_id = reader.integer(key, label, minimum=1, maximum=MAX_ID)
    if other_id is None and key not in reader.errors:
        reader.fail(key, f"请选择{label}。")
    stars = reader.integer("stars", "评分", minimum=1, maximum=5)
    if stars is None and "stars" not in reader.errors:
        reader.fail("stars", "请选择评分。")
    comment = reader.read("comment", RATING["comment"])
    reader.raise_if_invalid()
    pair = (other_id, actor.community_id) if grades_unit else (actor.unit_id, other_id)
    if pair not in year_pairs(year):
        raise InvalidInput(
            f"只能评议 {year} 年度与本{'社区' if grades_unit else '单位'}结对的{label}。", field=key
        )
    unit_id, community_id = pair
    model = UnitGrade if grades_unit else CommunityRating
    row = model(
        year=year,
        unit_id=unit_id,
        community_id=community_id,
        stars=stars,
        comment=comment,
        author_id=actor.id,
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"已评议过该{label} {year} 年度的履职情况，每年一次。") from None
    action = "unit.grade" if grades_unit else "community.rate"
    audit.record(action, actor=actor, obj=row, after={"year": year, "stars": stars}, detail=comment)
    if grades_unit:
        notify(
            staff_of(unit_id=unit_id),
            "unit_graded",
            f"{actor.community.name}对贵单位 {year} 年度的结对共建给出了 {stars} 星评议。",
            GRADES_URL,
        )
    db.session.commit()
    return row


def grade_rows(actor: User, year: int) -> list[GradeRow]:
    """Return the pairs the actor grades in ``year`` with the grade given to each so far."""
    require_role(actor, "community", "unit")
    pairs = year_pairs(year)
    if has_role(actor, "community"):
        other_ids = sorted(unit for unit, community in pairs if community == actor.community_id)
        given = db.session.scalars(
            select(UnitGrade).where(
                UnitGrade.year == year, UnitGrade.community_id == actor.community_id
            )
        )
        by_other = {row.unit_id: row for row in given}
        names = _names(Unit, other_ids)
    else:
        other_ids = sorted(community for unit, community in pairs if unit == actor.unit_id)
        given = db.session.scalars(
            select(CommunityRating).where(
                CommunityRating.year == year, CommunityRating.unit_id == actor.unit_id
            )
        )
        by_other = {row.community_id: row for row in given}
        names = _names(Community, other_ids)
    return [GradeRow(other, names.get(other, ""), by_other.get(other)) for other in other_ids]


def _names(model, ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())
