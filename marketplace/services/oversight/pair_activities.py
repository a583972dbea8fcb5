"""Pair activities: log, confirm, list; the compliance matrix and the quarterly reminder.

Either side of a published pair logs an activity; only the other side confirms it
(one conditional UPDATE, so two confirmations racing cannot both count). A pair is
compliant for a quarter when it has a confirmed activity in it (every pair must act
at least once a quarter: 每季度至少开展一次对接活动).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import PairActivity, PairReminder, PlanPair, User
from marketplace.models._common import utcnow
from marketplace.models.pair_activities import ACTIVITY_KINDS
from marketplace.services import audit
from marketplace.services.access import has_role, valid_id
from marketplace.services.fields import PAIR_ACTIVITY, FieldReader
from marketplace.services.notifications import notify, staff_of
from marketplace.services.oversight.oversight_calendar import (
    REMIND_DAYS_BEFORE_QUARTER_END,
    Quarter,
    county_today,
    quarter_of,
    year_quarters,
)
from marketplace.services.oversight.oversight_scope import (
    is_pair,
    plan_in_force,
    plan_pairs,
    published_pairs,
    require_any,
)
from marketplace.services.pagination import Page, paginate
from marketplace.services.transitions import move_if

COMPLIANCE_STATUSES = {
    "confirmed": "已确认",
    "logged": "已登记待确认",
    "missing": "未开展",
    "running": "本季度进行中",
    "unpaired": "当季未结对",
}
ACTIVITIES_URL = "/pair-activities/"
MAX_PARTICIPANTS = 100_000


def log_activity(actor: User, data: dict) -> PairActivity:
    """Log an activity of the actor's pair (a unit names the community, and vice versa)."""
    require_any(actor, "unit", "community")
    reader = FieldReader(data)
    other_key = "community_id" if has_role(actor, "unit") else "unit_id"
    other_id = reader.integer(other_key, "结对对象", minimum=1, maximum=2**31 - 1, required=True)
    held_on = reader.day("date", "活动日期")
    if held_on is None and "date" not in reader.errors:
        reader.fail("date", "请填写活动日期。")
    kind = reader.choice("kind", "活动形式", ACTIVITY_KINDS)
    title = reader.read("title", PAIR_ACTIVITY["title"])
    participants = reader.integer(
        "participants", "参加人数", minimum=0, maximum=MAX_PARTICIPANTS, default=0
    )
    notes = reader.read("notes", PAIR_ACTIVITY["notes"])
    if held_on and held_on > county_today():
        reader.fail("date", "活动日期不能晚于今天：请在活动开展后登记。")
    reader.raise_if_invalid()
    unit_id, community_id = (
        (actor.unit_id, other_id) if has_role(actor, "unit") else (other_id, actor.community_id)
    )
    if not is_pair(unit_id, community_id):
        raise InvalidInput("只能登记与本单位（社区）结对的对象的对接活动。", field=other_key)
    activity = PairActivity(
        unit_id=unit_id,
        community_id=community_id,
        held_on=held_on,
        kind=kind,
        title=title,
        participants=participants or 0,
        notes=notes,
        logged_by_side=actor.role,
        created_by_id=actor.id,
    )
    db.session.add(activity)
    db.session.flush()
    audit.record(
        "pair_activity.log",
        actor=actor,
        obj=activity,
        after={"status": "logged", "held_on": held_on.isoformat(), "kind": kind},
        detail=title,
    )
    other = (
        staff_of(community_id=community_id)
        if has_role(actor, "unit")
        else staff_of(unit_id=unit_id)
    )
    side = actor.unit.name if has_role(actor, "unit") else actor.community.name
    notify(
        other, "pair_activity_logged", f"{side}登记了对接活动「{title}」，请确认。", ACTIVITIES_URL
    )
    db.session.commit()
    return activity


def confirm_activity(actor: User, activity_id) -> PairActivity:
    """Confirm an activity the other side of the pair logged."""
    require_any(actor, "unit", "community")
    activity = db.session.get(PairActivity, activity_id) if valid_id(activity_id) else None
    if activity is None:
        raise NotFound("对接活动不存在。")
    mine = (
        activity.unit_id == actor.unit_id
        if has_role(actor, "unit")
        else activity.community_id == actor.community_id
    )
    if not mine:
        raise Forbidden("只能确认本单位（社区）结对的对接活动。")
    if activity.logged_by_side == actor.role:
        raise Conflict("活动由本方登记，需由结对的另一方确认。")
    move_if(
        activity,
        (PairActivity.status == "logged",),
        {"status": "confirmed", "confirmed_by_id": actor.id, "confirmed_at": utcnow()},
        "该活动已经确认过了。",
    )
    audit.record(
        "pair_activity.confirm",
        actor=actor,
        obj=activity,
        before={"status": "logged"},
        after={"status": "confirmed"},
    )
    db.session.commit()
    return activity


def activities_page(actor: User, page: int = 1, per_page: int = 20) -> Page:
    """Return the activities of the actor's pairs, newest first."""
    require_any(actor, "unit", "community")
    query = (
        select(PairActivity)
        .options(selectinload(PairActivity.unit), selectinload(PairActivity.community))
        .order_by(PairActivity.held_on.desc(), PairActivity.id.desc())
    )
    if has_role(actor, "unit"):
        query = query.where(PairActivity.unit_id == actor.unit_id)
    else:
        query = query.where(PairActivity.community_id == actor.community_id)
    return paginate(query, page, per_page)


def pair_activities(unit_id: int, community_id: int, year: int) -> list[PairActivity]:
    """Return one pair's activities of a year, by date."""
    return list(
        db.session.scalars(
            select(PairActivity)
            .where(
                PairActivity.unit_id == unit_id,
                PairActivity.community_id == community_id,
                PairActivity.held_on.between(date(year, 1, 1), date(year, 12, 31)),
            )
            .order_by(PairActivity.held_on)
        )
    )


def quarter_status(activities: list[PairActivity], quarter: Quarter, today: date) -> str:
    """Return a pair's status for a quarter from its activities in that quarter."""
    statuses = {activity.status for activity in activities}
    if "confirmed" in statuses:
        return "confirmed"
    if "logged" in statuses:
        return "logged"
    return "missing" if quarter.is_over(today) else "running"


@dataclass
class PairRow:
    pair: PlanPair
    cells: dict[int, str] = field(default_factory=dict)  # quarter → status
    counts: dict[int, int] = field(default_factory=dict)  # quarter → activities


def compliance(community_ids, year: int, today: date | None = None) -> list[PairRow]:
    """Return every pair of the communities in force in some quarter of ``year``, by quarter.

    Each quarter is judged by the plan in force at its end (today, for the running
    quarter; today's plan for quarters still to come), so a plan published in the autumn
    neither fails its new pairs for the spring nor forgets the pairs it replaced. A pair
    not in force in a quarter shows ``unpaired`` there.
    """
    today = today or county_today()
    plan_of_quarter = {
        quarter.number: plan_in_force(min(quarter.ends_on, max(today, quarter.starts_on)))
        for quarter in year_quarters(year)
    }
    plans = {plan_id for plan_id in plan_of_quarter.values() if plan_id is not None}
    pairs: dict[tuple[int, int], PlanPair] = {}
    in_force: dict[int, set[tuple[int, int]]] = {}
    for pair in plan_pairs(plans, community_ids) if plans else []:
        key = (pair.unit_id, pair.community_id)
        pairs.setdefault(key, pair)  # the newest plan's row (plan ids descending)
        in_force.setdefault(pair.plan_id, set()).add(key)
    by_pair: dict[tuple[int, int], dict[int, list[PairActivity]]] = {}
    if pairs:
        rows = db.session.scalars(
            select(PairActivity).where(
                PairActivity.community_id.in_({community for _unit, community in pairs}),
                PairActivity.held_on.between(date(year, 1, 1), date(year, 12, 31)),
            )
        )
        for activity in rows:
            quarters = by_pair.setdefault((activity.unit_id, activity.community_id), {})
            quarters.setdefault(quarter_of(activity.held_on).number, []).append(activity)
    result = []
    for key, pair in pairs.items():
        found = by_pair.get(key, {})
        row = PairRow(pair)
        for quarter in year_quarters(year):
            activities = found.get(quarter.number, [])
            paired = key in in_force.get(plan_of_quarter[quarter.number], ())
            row.cells[quarter.number] = (
                quarter_status(activities, quarter, today) if paired else "unpaired"
            )
            row.counts[quarter.number] = len(activities)
        result.append(row)
    return result


def compliant_quarters_by_unit(year: int) -> dict[int, int]:
    """Return per unit how many quarters of ``year`` it had a confirmed activity in."""
    quarters: dict[int, set[int]] = {}
    rows = db.session.execute(
        select(PairActivity.unit_id, PairActivity.held_on).where(
            PairActivity.status == "confirmed",
            PairActivity.held_on.between(date(year, 1, 1), date(year, 12, 31)),
        )
    )
    for unit_id, held_on in rows:
        quarters.setdefault(unit_id, set()).add(quarter_of(held_on).number)
    return {unit_id: len(numbers) for unit_id, numbers in quarters.items()}


def remind_quiet_pairs(today: date | None = None) -> int:
    """Remind pairs with nothing logged this quarter, from 15 days before it ends (once).

    Idempotent: a ``PairReminder`` row per pair and quarter (unique) marks the pairs
    already reminded, so running it twice a day sends nothing the second time.
    Returns how many pairs were reminded.
    """
    today = today or county_today()
    quarter = quarter_of(today)
    if today < quarter.ends_on - timedelta(days=REMIND_DAYS_BEFORE_QUARTER_END):
        return 0
    reminded = set(
        db.session.execute(
            select(PairReminder.unit_id, PairReminder.community_id).where(
                PairReminder.year == quarter.year, PairReminder.quarter == quarter.number
            )
        ).all()
    )
    active = set(
        db.session.execute(
            select(PairActivity.unit_id, PairActivity.community_id).where(
                PairActivity.held_on.between(quarter.starts_on, quarter.ends_on)
            )
        ).all()
    )
    count = 0
    for pair in published_pairs():
        key = (pair.unit_id, pair.community_id)
        if key in reminded or key in active:
            continue
        db.session.add(
            PairReminder(
                unit_id=pair.unit_id,
                community_id=pair.community_id,
                year=quarter.year,
                quarter=quarter.number,
            )
        )
        message = (
            f"{quarter.label}将于 {quarter.ends_on:%m月%d日} 结束，{pair.unit.name}与"
            f"{pair.community.name}本季度尚未登记对接活动（每季度至少开展一次）。"
        )
        users = staff_of(unit_id=pair.unit_id) + staff_of(community_id=pair.community_id)
        notify(users, "pair_activity_reminder", message, ACTIVITIES_URL)
        count += 1
    if count:
        audit.record(
            "pair_activity.remind",
            object_type="pair_reminder",
            detail=f"{quarter.label}：提醒 {count} 对结对",
            username="system",
        )
    try:
        db.session.commit()
    except IntegrityError:  # a second run raced this one: its reminders stand
        db.session.rollback()
        return 0
    return count


def pair_year(actor: User, unit_id: int, community_id: int, year: int):
    """Return one pair's compliance row and activities of ``year`` for its overseer.

    The pair must have been in force in some quarter of the year (the matrix links to
    superseded pairs too), and its community overseen by the actor.
    """
    from marketplace.services.oversight.oversight_scope import overseen_community_ids

    if community_id not in overseen_community_ids(actor):
        raise Forbidden("只能查看本乡镇（街道）社区的结对。")
    row = next(
        (row for row in compliance([community_id], year) if row.pair.unit_id == unit_id), None
    )
    if row is None:
        raise NotFound(f"该结对在 {year} 年不存在或未发布。")
    return row, pair_activities(unit_id, community_id, year)
