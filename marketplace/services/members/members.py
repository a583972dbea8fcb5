"""Members (在职党员): the unit registers them; they report (报到) to a community.

A member reports to the unit's paired community (a published pair) or the community they
live in; the community's staff confirm or return the report. A member holds at most one
pending or confirmed report (a partial unique index), so double submits collapse to one.
"""

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Community, Member, MemberReport, User
from marketplace.models._common import utcnow
from marketplace.security import hash_password
from marketplace.services import audit
from marketplace.services.access import (
    has_role,
    require_role,
    require_staff_community,
    signed_in,
    valid_id,
)
from marketplace.services.exchange.need_queries import paired_community_ids
from marketplace.services.fields import MEMBER, FieldReader
from marketplace.services.notifications import notify, staff_of
from marketplace.services.transitions import move_if

PHONE_PATTERN = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")


def county_now() -> datetime:
    """Return the county's clock (``marketplace.clock``)."""
    return clock.now()


def member_of(actor: User | None) -> Member:
    """Return the signed-in member's own Member row, or refuse."""
    if not signed_in(actor) or not has_role(actor, "member"):
        raise Forbidden("只有在职党员可以执行此操作。")
    member = db.session.scalar(select(Member).where(Member.user_id == actor.id))
    if member is None:
        raise Forbidden("该账号尚未登记为在职党员，请联系所在单位党组织书记。")
    return member


def member_or_none(user: User | None) -> Member | None:
    """Return the Member row bound to ``user`` (None for other accounts)."""
    if not signed_in(user) or not has_role(user, "member"):
        return None
    return db.session.scalar(select(Member).where(Member.user_id == user.id))


def read_phone(reader: FieldReader, key: str = "phone", *, required: bool = True) -> str:
    """Read a mobile or landline number (the one rule forms, API and import share)."""
    phone = reader.read(key, MEMBER["phone"], required=required)
    if phone and not PHONE_PATTERN.match(phone):
        reader.fail(key, "手机号码格式不正确（11 位手机号或带区号的固定电话）。")
    return phone


def _community_choice(reader: FieldReader, key: str, label: str) -> Community | None:
    community_id = reader.integer(key, label)
    if community_id is None:
        return None
    community = db.session.get(Community, community_id) if valid_id(community_id) else None
    if community is None:
        reader.fail(key, f"请选择有效的{label}。")
    return community


def next_username() -> str:
    """Return the first free ``memberNNN`` username."""
    taken = set(db.session.scalars(select(User.username).where(User.username.like("member%"))))
    number = 1
    while f"member{number:03d}" in taken:
        number += 1
    return f"member{number:03d}"


def new_member_row(unit_id: int, name: str, phone: str, username: str, home, password: str):
    """Add a member account and Member row to the session (the caller commits)."""
    user = User(
        username=username,
        password_hash=hash_password(password),
        role="member",
        display_name=name,
        phone=phone,
    )
    db.session.add(user)
    db.session.flush()
    member = Member(user_id=user.id, unit_id=unit_id, name=name, phone=phone)
    member.home_community = home
    db.session.add(member)
    db.session.flush()
    return member


def register_member(actor: User, data) -> tuple[Member, str]:
    """Register a member of the secretary's unit; return it and its first password."""
    require_role(actor, "unit")
    reader = FieldReader(data)
    name = reader.read("name", MEMBER["name"])
    phone = read_phone(reader)
    username = reader.read("username", MEMBER["username"])
    if username and not USERNAME_PATTERN.match(username):
        reader.fail("username", "用户名只能由 3–40 个字母、数字、下划线、点或减号组成。")
    home = _community_choice(reader, "home_community_id", "居住社区")
    reader.raise_if_invalid()
    username = username or next_username()
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise InvalidInput(f"用户名 {username} 已存在。", field="username")
    password = secrets.token_urlsafe(9)
    try:
        member = new_member_row(actor.unit_id, name, phone, username, home, password)
        audit.record(
            "member.registered",
            actor=actor,
            obj=member,
            after={"name": name, "username": username, "unit_id": actor.unit_id},
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"用户名 {username} 已被占用，请重试。") from None
    return member, password


def report_choices(member: Member) -> list[Community]:
    """Return the communities a member may report to: paired with the unit, or home."""
    ids = set(db.session.scalars(paired_community_ids(member.unit_id)))
    if member.home_community_id:
        ids.add(member.home_community_id)
    if not ids:
        return []
    return list(db.session.scalars(select(Community).where(Community.id.in_(ids))))


def live_report(member: Member) -> MemberReport | None:
    """Return the member's pending or confirmed report, if any."""
    return db.session.scalar(
        select(MemberReport).where(
            MemberReport.member_id == member.id, MemberReport.status.in_(("pending", "confirmed"))
        )
    )


def report(actor: User, data) -> MemberReport:
    """Report the member to a community (paired with their unit, or where they live)."""
    member = member_of(actor)
    reader = FieldReader(data)
    community_id = reader.integer("community_id", "报到社区", required=True)
    note = reader.read("note", MEMBER["note"])
    reader.raise_if_invalid()
    allowed = {community.id: community for community in report_choices(member)}
    if community_id not in allowed:
        raise InvalidInput("只能向本单位结对的社区或本人居住的社区报到。", field="community_id")
    current = live_report(member)
    if current is not None:
        raise Conflict(
            f"您已向「{current.community.name}」报到（{current.status_label}），请勿重复报到。"
        )
    entry = MemberReport(member_id=member.id, community_id=community_id, note=note)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("您已提交报到，请勿重复提交。") from None
    audit.record("member_report.submitted", actor=actor, obj=entry, after={"status": "pending"})
    notify(
        staff_of(community_id=community_id),
        "member_report",
        f"在职党员{member.name}（{member.unit.name}）向本社区报到，请确认。",
        "/community/members/reports",
    )
    db.session.commit()
    return entry


def _staff_report(actor: User, report_id) -> MemberReport:
    require_role(actor, "community")
    entry = db.session.get(MemberReport, report_id) if valid_id(report_id) else None
    if entry is None:
        raise NotFound("报到记录不存在。")
    require_staff_community(actor, entry, "只能处理向本社区的报到。")
    if entry.status != "pending":
        raise Conflict(f"该报到当前为「{entry.status_label}」，不能再处理。")
    return entry


def _decide(actor: User, entry: MemberReport, status: str, reason: str = "") -> None:
    """Move a report out of ``pending`` once, whoever clicks at the same moment."""
    move_if(
        entry,
        (MemberReport.status == "pending",),
        {"status": status, "reason": reason, "decided_by_id": actor.id, "decided_at": utcnow()},
        "该报到刚刚已被处理，请刷新。",
    )


def confirm_report(actor: User, report_id) -> MemberReport:
    """Confirm a pending report: the member now belongs to the community."""
    entry = _staff_report(actor, report_id)
    _decide(actor, entry, "confirmed")
    member = entry.member
    member.community_id = entry.community_id
    member.reported_at = utcnow()
    audit.record(
        "member_report.confirmed",
        actor=actor,
        obj=entry,
        before={"status": "pending"},
        after={"status": "confirmed"},
    )
    notify([member.user], "member_report", f"「{entry.community.name}」已确认您的报到，请选岗。")
    db.session.commit()
    return entry


def return_report(actor: User, report_id, reason) -> MemberReport:
    """Return a pending report with a reason; the member may report again."""
    entry = _staff_report(actor, report_id)
    reader = FieldReader({"reason": reason})
    reason = reader.read("reason", MEMBER["reason"])
    reader.raise_if_invalid()
    _decide(actor, entry, "returned", reason)
    audit.record(
        "member_report.returned",
        actor=actor,
        obj=entry,
        before={"status": "pending"},
        after={"status": "returned"},
        detail=reason,
    )
    notify(
        [entry.member.user], "member_report", f"「{entry.community.name}」退回了您的报到：{reason}"
    )
    db.session.commit()
    return entry
