"""Pair activities: log, confirm, list; the compliance matrix and the quarterly reminder.

Either side of a published pair logs an activity; only the other side confirms it
(one conditional UPDATE, so two confirmations racing cannot both count). A pair is
compliant for a quarter when it has a confirmed activity in it (every pair must act
at least once a quarter: 每季度至少开展一次对接活动); the judgement lives in
``services/oversight/compliance.py``.
"""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import PairActivity, PairReminder, User
from marketplace.models._common import utcnow
from marketplace.models.pair_activities import ACTIVITY_KINDS
from marketplace.services import audit
from marketplace.services.access import (
    is_pair_side,
    may_confirm_activity,
    pair_side,
    require_role,
    valid_id,
)
from marketplace.services.attachments.attachments import require_evidence
from marketplace.services.fields import PAIR_ACTIVITY, FieldReader
from marketplace.services.notifications import notify, staff_of
from marketplace.services.oversight.compliance import compliance
from marketplace.services.oversight.oversight_calendar import (
    REMIND_DAYS_BEFORE_QUARTER_END,
    county_today,
    quarter_of,
)
from marketplace.services.oversight.oversight_scope import published_pairs
from marketplace.services.pagination import Page, paginate
from marketplace.services.pairing.plan_history import in_force_on, pair_lives
from marketplace.services.transitions import move_if

ACTIVITIES_URL = "/pair-activities/"
MAX_PARTICIPANTS = 100_000


def log_activity(actor: User, data: dict) -> PairActivity:
    """Log an activity of the actor's pair (a unit names the community, and vice versa)."""
    require_role(actor, "unit", "community")
    side = pair_side(actor)
    reader = FieldReader(data)
    other_key = "community_id" if side == "unit" else "unit_id"
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
        (actor.unit_id, other_id) if side == "unit" else (other_id, actor.community_id)
    )
    if not in_force_on(unit_id, community_id, held_on):
        raise InvalidInput(
            f"只能登记与本单位（社区）结对期间的对接活动：{held_on:%Y-%m-%d} 当天与该对象未结对。",
            field=other_key,
        )
    activity = PairActivity(
        unit_id=unit_id,
        community_id=community_id,
        held_on=held_on,
        kind=kind,
        title=title,
        participants=participants or 0,
        notes=notes,
        logged_by_side=side,
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
    if side == "unit":
        other, name = staff_of(community_id=community_id), actor.unit.name
    else:
        other, name = staff_of(unit_id=unit_id), actor.community.name
    notify(
        other, "pair_activity_logged", f"{name}登记了对接活动「{title}」，请确认。", ACTIVITIES_URL
    )
    db.session.commit()
    return activity


def confirm_activity(actor: User, activity_id) -> PairActivity:
    """Confirm an activity the other side of the pair logged."""
    require_role(actor, "unit", "community")
    activity = db.session.get(PairActivity, activity_id) if valid_id(activity_id) else None
    if activity is None:
        raise NotFound("对接活动不存在。")
    if not is_pair_side(actor, activity.unit_id, activity.community_id):
        raise Forbidden("只能确认本单位（社区）结对的对接活动。")
    if not may_confirm_activity(actor, activity):
        raise Conflict("活动由本方登记，需由结对的另一方确认。")
    require_evidence(
        "pair_activity",
        activity.id,
        "确认对接活动需要至少一张活动照片作为台账佐证：请先上传照片再确认。",
    )
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


def loggable_pairs(actor: User) -> list:
    """Return the actor's pairs in force at some time of this year (dropped ones too).

    An activity held before a pair was dropped may still be logged for it; the date
    logged is checked against the pair's life.
    """
    require_role(actor, "unit", "community")
    today = county_today()
    first = date(today.year, 1, 1)
    if pair_side(actor) == "unit":
        lives = pair_lives(unit_id=actor.unit_id)
    else:
        lives = pair_lives([actor.community_id])
    return [
        life.pair
        for life in lives.values()
        if life.days_within(first, today) > 0
        and is_pair_side(actor, life.unit_id, life.community_id)
    ]


def activities_page(actor: User, page: int = 1, per_page: int = 20) -> Page:
    """Return the activities of the actor's pairs, newest first."""
    require_role(actor, "unit", "community")
    query = (
        select(PairActivity)
        .options(selectinload(PairActivity.unit), selectinload(PairActivity.community))
        .order_by(PairActivity.held_on.desc(), PairActivity.id.desc())
    )
    if pair_side(actor) == "unit":
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
