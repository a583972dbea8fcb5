"""Service records: a member logs a service; community staff confirm or return it.

Confirming is a conditional ``UPDATE`` from ``submitted`` (so a double click confirms and
awards once) and awards the record's points in the same transaction; when the member's
yearly checklist becomes complete, the checklist's points are awarded too.
"""

from datetime import date

from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Need, ServiceRecord, User
from marketplace.models._common import utcnow
from marketplace.models.members import SERVICE_KINDS
from marketplace.services import audit
from marketplace.services.access import require_role, valid_id
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


def log_service(actor: User, data) -> ServiceRecord:
    """Log a service of the member in their community, for staff to confirm."""
    member = member_of(actor)
    if member.community_id is None:
        raise Conflict("报到经社区确认后才能记录服务。")
    reader = FieldReader(data)
    served_on = reader.day("date", "服务日期")
    if served_on is None and "date" not in reader.errors:
        reader.fail("date", "请填写服务日期。")
    today = county_now().date()
    if served_on is not None and not date(today.year - 1, 1, 1) <= served_on <= today:
        reader.fail("date", "服务日期应在去年 1 月 1 日到今天之间。")
    hours = read_hours(reader)
    summary = reader.read("summary", SERVICE_RECORD["summary"])
    kind = reader.choice(
        "kind", "记录类型", {"service": "志愿服务", "survey": "社区调研"}, default="service"
    )
    need_id = reader.integer("need_id", "对应需求")
    reader.raise_if_invalid()
    if need_id is not None:
        need = db.session.get(Need, need_id) if valid_id(need_id) else None
        if need is None or need.community_id != member.community_id:
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
    if record.community_id != actor.community_id:
        raise Forbidden("只能处理本社区的服务记录。")
    return record


def _decide(actor: User, record: ServiceRecord, status: str, reason: str = "") -> None:
    move_if(
        record,
        (ServiceRecord.status == "submitted",),
        {"status": status, "reason": reason, "decided_by_id": actor.id, "decided_at": utcnow()},
        lambda now: f"该服务记录当前为「{now.status_label}」，不能再处理。",
    )


def confirm_service(actor: User, record_id) -> ServiceRecord:
    """Confirm a submitted record and award its points (and the checklist's, when complete)."""
    record = _staff_record(actor, record_id)
    _decide(actor, record, "confirmed")
    member = record.member
    kind = "activity" if record.activity_id else "service"
    points.award(
        member, kind, record.id, reason=f"{record.kind_label}：{record.summary[:40]}", actor=actor
    )
    year = record.served_on.year
    if checklist.complete(member.id, year):
        points.award(member, "checklist", year, reason=f"{year} 年度清单全部完成", actor=actor)
    audit.record(
        "service.confirmed",
        actor=actor,
        obj=record,
        before={"status": "submitted"},
        after={"status": "confirmed"},
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
