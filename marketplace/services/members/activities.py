"""Activities with a check-in QR code: valid only while the activity runs, once per member.

A first scan checks in: it drafts a service record (``activity_id`` set, ``submitted``)
of half an hour, the least a record holds, and the unique constraint on (activity,
member) makes two racing first scans one record. A second scan (15 minutes or more after
the first; a sooner one is taken as a double scan and refused) checks out: the record's
hours become the time between the two scans (in half hours), never the activity's whole
planned duration. A member who does not check out gets the hours staff enter when they
confirm the record.
"""

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Activity, ServiceRecord, Team, User
from marketplace.models._common import utcnow
from marketplace.models.members import ACTIVITY_KINDS
from marketplace.services import audit
from marketplace.services.access import (
    in_staff_community,
    require_role,
    require_staff_community,
    serves_in,
    valid_id,
)
from marketplace.services.fields import TEAM_ACTIVITY, FieldReader
from marketplace.services.members import checklist
from marketplace.services.members.members import member_of, member_or_none
from marketplace.services.transitions import move_if

MAX_ACTIVITY = timedelta(hours=24)
CHECK_OUT_AFTER = timedelta(minutes=15)  # a scan sooner than this is a double scan


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive UTC


def create_activity(actor: User, data) -> Activity:
    """Schedule an activity of the staff member's community with a fresh check-in code."""
    require_role(actor, "community")
    reader = FieldReader(data)
    kind = reader.choice("kind", "活动类型", ACTIVITY_KINDS, default="service")
    title = reader.read("title", TEAM_ACTIVITY["title"])
    place = reader.read("place", TEAM_ACTIVITY["place"])
    day = reader.day("date", "活动日期")
    start, end = reader.clock("starts", "开始时间"), reader.clock("ends", "结束时间")
    team_id = reader.integer("team_id", "服务队")
    for key, value, label in (
        ("date", day, "活动日期"),
        ("starts", start, "开始时间"),
        ("ends", end, "结束时间"),
    ):
        if value is None and key not in reader.errors:
            reader.fail(key, f"请填写{label}。")
    reader.raise_if_invalid()
    starts_at = clock.at(day, start).astimezone(UTC)
    ends_at = clock.at(day, end).astimezone(UTC)
    if not starts_at < ends_at <= starts_at + MAX_ACTIVITY:
        raise InvalidInput("结束时间应晚于开始时间，且活动不超过 24 小时。", field="ends")
    if team_id is not None:
        team = db.session.get(Team, team_id) if valid_id(team_id) else None
        if not in_staff_community(actor, team):
            raise InvalidInput("请选择本社区的服务队。", field="team_id")
    activity = Activity(
        community_id=actor.community_id,
        kind=kind,
        title=title,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        team_id=team_id,
        checkin_token=secrets.token_urlsafe(24),
        created_by_id=actor.id,
    )
    db.session.add(activity)
    db.session.flush()
    audit.record(
        "activity.created", actor=actor, obj=activity, after={"title": title, "kind": kind}
    )
    db.session.commit()
    return activity


def own_activity(actor: User, activity_id) -> Activity:
    """Return an activity of the staff member's community (404 / 403 otherwise)."""
    require_role(actor, "community")
    activity = db.session.get(Activity, activity_id) if valid_id(activity_id) else None
    if activity is None:
        raise NotFound("活动不存在。")
    require_staff_community(actor, activity, "只能查看本社区的活动。")
    return activity


def activity_by_token(token: str) -> Activity:
    """Return the activity a check-in code belongs to."""
    activity = None
    if isinstance(token, str) and 0 < len(token) <= 64:
        activity = db.session.scalar(select(Activity).where(Activity.checkin_token == token))
    if activity is None:
        raise NotFound("签到码无效。")
    return activity


def is_open(activity: Activity, now: datetime | None = None) -> bool:
    """Tell whether the activity is running now (its check-in code is valid)."""
    now = now or utcnow()
    return _aware(activity.starts_at) <= now <= _aware(activity.ends_at)


def _half_hours(start: datetime, end: datetime) -> float:
    """Return the time from ``start`` to ``end`` in half hours, within 0.5 to 24."""
    hours = (end - start).total_seconds() / 3600
    return max(0.5, min(24.0, round(hours * 2) / 2))


def _own_checkin(member_id: int, activity_id: int) -> ServiceRecord | None:
    return db.session.scalar(
        select(ServiceRecord).where(
            ServiceRecord.activity_id == activity_id, ServiceRecord.member_id == member_id
        )
    )


def my_checkin(actor: User, activity: Activity) -> ServiceRecord | None:
    """Return the signed-in member's check-in at ``activity``, if they scanned already."""
    member = member_or_none(actor)
    return _own_checkin(member.id, activity.id) if member is not None else None


def check_in(actor: User, token: str, now: datetime | None = None) -> ServiceRecord:
    """Check the member in at the activity (first scan) or out of it (second scan)."""
    member = member_of(actor)
    activity = activity_by_token(token)
    if not serves_in(member, activity):
        raise Forbidden("只有向本社区报到的党员可以签到。")
    now = now or utcnow()
    if now < _aware(activity.starts_at):
        raise Conflict("活动尚未开始，签到码还不能使用。")
    if now > _aware(activity.ends_at):
        raise Conflict("活动已结束，签到码已失效。")
    existing = _own_checkin(member.id, activity.id)
    if existing is not None:
        return _check_out(actor, existing, now)
    record = ServiceRecord(
        member_id=member.id,
        community_id=activity.community_id,
        kind=activity.kind,
        served_on=clock.local(activity.starts_at).date(),
        hours=0.5,
        summary=f"签到：{activity.title}",
        post_id=member.post_id,
        team_id=activity.team_id or member.team_id,
        activity_id=activity.id,
        created_at=now,
    )
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("您刚刚已签到；活动结束前再扫一次码即可签退。") from None
    audit.record("activity.checked_in", actor=actor, obj=record, after={"activity_id": activity.id})
    checklist.pay_bonus(member, record.served_on.year, actor)  # attendance counts at check-in
    db.session.commit()
    return record


def _check_out(actor: User, record: ServiceRecord, now: datetime) -> ServiceRecord:
    """Set the real hours of a check-in from the member's second scan."""
    if record.checked_out_at is not None:
        raise Conflict("您已签到并签退，请勿重复扫码。")
    if record.status != "submitted":
        raise Conflict(f"该签到记录已{record.status_label}，不能再签退。")
    if now - _aware(record.created_at) < CHECK_OUT_AFTER:
        raise Conflict("您刚刚已签到，请勿重复扫码；离开时再扫码签退。")
    hours = _half_hours(_aware(record.created_at), now)
    move_if(
        record,
        (ServiceRecord.checked_out_at.is_(None), ServiceRecord.status == "submitted"),
        {"checked_out_at": now, "hours": hours},
        "您已签退，请勿重复扫码。",
    )
    audit.record(
        "activity.checked_out",
        actor=actor,
        obj=record,
        before={"hours": 0.5},
        after={"hours": hours},
    )
    db.session.commit()
    return record


def community_activities(community_id: int, limit: int = 50) -> list[Activity]:
    """Return a community's activities, latest first."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.community_id == community_id)
            .order_by(Activity.starts_at.desc())
            .limit(limit)
        )
    )
