"""What the members' pages show: a member's home, cards, the community's base ledger."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import Community, Member, MemberReport, ServiceRecord, User
from marketplace.services.access import in_staff_community, require_role, valid_id
from marketplace.services.members import checklist, points
from marketplace.services.members.members import live_report, report_choices
from marketplace.services.pagination import Page, paginate

CARD_KINDS = {"info": "信息卡", "service": "服务卡", "points": "积分卡"}


def member_home(member: Member, year: int) -> dict:
    """Return a member's report, checklist, points and latest records."""
    recent = list(
        db.session.scalars(
            select(ServiceRecord)
            .where(ServiceRecord.member_id == member.id)
            .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
            .limit(5)
        )
    )
    last_report = db.session.scalar(
        select(MemberReport)
        .where(MemberReport.member_id == member.id)
        .order_by(MemberReport.id.desc())
        .limit(1)
    )
    return {
        "member": member,
        "report": live_report(member),
        "last_report": last_report,
        "choices": report_choices(member) if member.community_id is None else [],
        "checklist": checklist.for_member(member.id, year),
        "hours": checklist.hours_by_member([member.id], year).get(member.id, 0.0),
        "recent": recent,
        "year": year,
    }


def staff_member(actor: User, member_id) -> Member:
    """Return a member reported to the staff member's community (404 otherwise)."""
    require_role(actor, "community")
    member = db.session.get(Member, member_id) if valid_id(member_id) else None
    if not in_staff_community(actor, member):
        raise NotFound("本社区没有该报到党员。")
    return member


def card(member: Member, kind: str, year: int) -> dict:
    """Return what one of a member's three cards shows."""
    if kind not in CARD_KINDS:
        raise NotFound("没有这种卡片。")
    context = {"member": member, "kind": kind, "title": CARD_KINDS[kind], "year": year}
    if kind == "info":
        context["report"] = live_report(member)
        context["checklist"] = checklist.for_member(member.id, year)
    elif kind == "service":
        context["records"] = list(
            db.session.scalars(
                select(ServiceRecord)
                .where(ServiceRecord.member_id == member.id, ServiceRecord.status == "confirmed")
                .order_by(ServiceRecord.served_on)
            )
        )
        context["hours"] = sum(record.hours for record in context["records"])
    else:
        context["entries"] = list(reversed(points.entries(member, limit=200)))
        context["served_on"] = service_dates(context["entries"])
    return context


def service_dates(entries) -> dict[int, date]:
    """Return, per point entry paid for a service record, the day the service was done."""
    record_ids = {
        entry.source_id: entry.id
        for entry in entries
        if entry.source_kind in points.HOURLY_SOURCES and entry.source_id is not None
    }
    if not record_ids:
        return {}
    rows = db.session.execute(
        select(ServiceRecord.id, ServiceRecord.served_on).where(
            ServiceRecord.id.in_(list(record_ids))
        )
    )
    return {record_ids[record_id]: served_on for record_id, served_on in rows}


def ledger_page(actor: User, page: int, per_page: int, q: str = "") -> Page:
    """Return the community's base ledger (基础台账): its reported members."""
    require_role(actor, "community")
    query = (
        select(Member)
        .options(selectinload(Member.unit), selectinload(Member.post), selectinload(Member.team))
        .where(Member.community_id == actor.community_id)
        .order_by(Member.id)
    )
    if q.strip():
        query = query.where(Member.name.contains(q.strip()[:40]))
    return paginate(query, page, per_page)


def ledger_hours(members: list[Member], year: int) -> dict[int, float]:
    """Return confirmed hours in ``year`` for the ledger's members."""
    return checklist.hours_by_member([member.id for member in members], year)


def pending_reports(actor: User) -> list[MemberReport]:
    """Return the reports waiting for the staff member's community."""
    require_role(actor, "community")
    return list(
        db.session.scalars(
            select(MemberReport)
            .where(
                MemberReport.community_id == actor.community_id,
                MemberReport.status == "pending",
            )
            .order_by(MemberReport.id)
        )
    )


def desk_counts(actor: User) -> dict:
    """Return the counts of the community's members desk."""
    require_role(actor, "community")
    return {
        "reported": db.session.scalar(
            select(func.count()).where(Member.community_id == actor.community_id)
        ),
        "pending_reports": len(pending_reports(actor)),
        "pending_services": db.session.scalar(
            select(func.count()).where(
                ServiceRecord.community_id == actor.community_id,
                ServiceRecord.status == "submitted",
            )
        ),
    }


def community_members(actor: User) -> list[Member]:
    """Return every member reported to the staff member's community."""
    require_role(actor, "community")
    return list(
        db.session.scalars(
            select(Member)
            .options(selectinload(Member.post), selectinload(Member.team))
            .where(Member.community_id == actor.community_id)
            .order_by(Member.id)
        )
    )


def community_choices() -> list[tuple[int, str]]:
    """Return (id, name) of every community, for the home-community select."""
    return [(c.id, c.name) for c in db.session.scalars(select(Community).order_by(Community.id))]
