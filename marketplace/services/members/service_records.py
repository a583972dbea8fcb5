"""Service records: a member logs a service; community staff confirm or return it.

Confirming is a conditional ``UPDATE`` from ``submitted`` (so a double click confirms and
awards once) and awards the record's points — per confirmed hour — in the same
transaction; when the member's yearly checklist becomes complete, the checklist's points
are awarded too. A service cannot be dated before the member's report was confirmed, nor
after today. A QR check-in the member did not check out of has no real duration: staff
enter the hours served when they confirm it.
"""

from datetime import date

from sqlalchemy import select

from marketplace import clock
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Need, ServiceRecord, User
from marketplace.models._common import utcnow
from marketplace.models.members import SERVICE_KINDS
from marketplace.services import audit
from marketplace.services.access import require_role, require_staff_community, serves_in, valid_id
from marketplace.services.fields import SERVICE_RECORD, FieldReader
from marketplace.services.members import checklist, points
from marketplace.services.members.members import county_now, member_of
from marketplace.services.notifications import notify, staff_of
from marketplace.services.pagination import Page, paginate
from marketplace.services.transitions import move_if

MAX_HOURS = 24


def read_hours(reader: FieldReader, key: str = "hours") -> float | None:
    """Read service hours: 0.5 to 24, in half hours."""
    raw = reader.data.get(key)
    if raw in (None, ""):
        reader.fail(key, "请填写服务时长。")
        return None
    try:
        hours = float(raw)
    except (TypeError, ValueError):
        reader.fail(key, "服务时长必须是数字。")
        return None
    if isinstance(raw, bool) or not 0.5 <= hours <= MAX_HOURS or (hours * 2) % 1:
        reader.fail(key, f"服务时长应在 0.5 到 {MAX_HOURS} 小时之间，以半小时计。")
        return None
    return hours


def check_served_on(reader: FieldReader, member, served_on: date | None) -> None:
    """Refuse a service date in the future, before last year, or before the member reported."""
    if served_on is None:
        return
    today = county_now().date()
    reported_on = clock.local(member.reported_at).date() if member.reported_at else None
    if served_on > today:
        reader.fail("date", "服务日期不能晚于今天。")
    elif served_on < date(today.year - 1, 1, 1):
        reader.fail("date", "服务日期应在去年 1 月 1 日到今天之间。")
    elif reported_on is not None and served_on < reported_on:
        reader.fail("date", f"服务日期不能早于社区确认报到的日期（{reported_on:%Y-%m-%d}）。")


def log_service(actor: User, data) -> ServiceRecord:
    """Log a service of the member in their community, for staff to confirm."""
    member = member_of(actor)
    if member.community_id is None:
        raise Conflict("报到经社区确认后才能记录服务。")
    reader = FieldReader(data)
    served_on = reader.day("date", "服务日期")
    if served_on is None and "date" not in reader.errors:
        reader.fail("date", "请填写服务日期。")
    check_served_on(reader, member, served_on)
    hours = read_hours(reader)
    summary = reader.read("summary", SERVICE_RECORD["summary"])
    kind = reader.choice(
        "kind", "记录类型", {"service": "志愿服务", "survey": "社区调研"}, default="service"
    )
    need_id = reader.integer("need_id", "对应需求")
    reader.raise_if_invalid()
    if need_id is not None:
        need = db.session.get(Need, need_id) if valid_id(need_id) else None
        if not serves_in(member, need):
            raise InvalidInput("只能关联报到社区的需求。", field="need_id")
    record = ServiceRecord(
        member_id=member.id,
        community_id=member.community_id,
        kind=kind,
        served_on=served_on,
        hours=hours,
        summary=summary,
        post_id=member.post_id,
        team_id=member.team_id,
        need_id=need_id,
        source_kind="need" if need_id else None,
        source_id=need_id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record("service.logged", actor=actor, obj=record, after={"hours": hours, "kind": kind})
    notify(
        staff_of(community_id=member.community_id),
        "service_record",
        f"{member.name}记录了{SERVICE_KINDS[kind]} {hours:g} 小时，请确认。",
        "/community/members/services",
    )
    db.session.commit()
    return record


def _staff_record(actor: User, record_id) -> ServiceRecord:
    require_role(actor, "community")
    record = db.session.get(ServiceRecord, record_id) if valid_id(record_id) else None
    if record is None:
        raise NotFound("服务记录不存在。")
    require_staff_community(actor, record, "只能处理本社区的服务记录。")
    return record


def _decide(actor: User, record: ServiceRecord, status: str, reason: str = "", **values) -> None:
    move_if(
        record,
        (ServiceRecord.status == "submitted",),
        {
            "status": status,
            "reason": reason,
            "decided_by_id": actor.id,
            "decided_at": utcnow(),
            **values,
        },
        lambda now: f"该服务记录当前为「{now.status_label}」，不能再处理。",
    )


def needs_hours(record: ServiceRecord) -> bool:
    """Tell whether staff must enter the hours: a check-in nobody checked out of."""
    return record.activity_id is not None and record.checked_out_at is None


def _confirmed_hours(record: ServiceRecord, data) -> float:
    """Return the hours to confirm: the staff's figure, required for an open check-in."""
    data = data or {}
    if not needs_hours(record) and data.get("hours") in (None, ""):
        return record.hours
    reader = FieldReader(data)
    hours = read_hours(reader)
    if needs_hours(record) and "hours" in reader.errors:
        reader.errors["hours"] = "该党员扫码签到后未签退，请填写实际服务时长（小时）。"
    reader.raise_if_invalid()
    return hours


def confirm_service(actor: User, record_id, data=None) -> ServiceRecord:
    """Confirm a submitted record and award its points per hour (and the checklist's)."""
    record = _staff_record(actor, record_id)
    hours = _confirmed_hours(record, data)
    before = {"status": "submitted", "hours": record.hours}
    _decide(actor, record, "confirmed", hours=hours)
    member = record.member
    kind = "activity" if record.activity_id else "service"
    points.award(
        member,
        kind,
        record.id,
        amount=points.hours_points(record.hours),
        reason=f"{record.kind_label} {record.hours:g} 小时：{record.summary[:40]}",
        actor=actor,
    )
    checklist.pay_bonus(member, record.served_on.year, actor)
    audit.record(
        "service.confirmed",
        actor=actor,
        obj=record,
        before=before,
        after={"status": "confirmed", "hours": record.hours},
    )
    notify([member.user], "service_record", f"您的服务记录「{record.summary[:30]}」已确认。")
    db.session.commit()
    return record


def return_service(actor: User, record_id, reason) -> ServiceRecord:
    """Return a submitted record to the member with a reason."""
    record = _staff_record(actor, record_id)
    reader = FieldReader({"reason": reason})
    reason = reader.read("reason", SERVICE_RECORD["reason"])
    reader.raise_if_invalid()
    _decide(actor, record, "returned", reason)
    audit.record(
        "service.returned",
        actor=actor,
        obj=record,
        before={"status": "submitted"},
        after={"status": "returned"},
        detail=reason,
    )
    notify([record.member.user], "service_record", f"您的服务记录被退回：{reason}")
    db.session.commit()
    return record


def records_page(*, member_id=None, community_id=None, status=None, page=1, per_page=20) -> Page:
    """Return service records, newest first, filtered by member, community or status."""
    query = select(ServiceRecord).order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
    if member_id is not None:
        query = query.where(ServiceRecord.member_id == member_id)
    if community_id is not None:
        query = query.where(ServiceRecord.community_id == community_id)
    if status:
        query = query.where(ServiceRecord.status == status)
    return paginate(query, page, per_page)
