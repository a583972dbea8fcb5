"""志愿服务110: intake, dispatch, acceptance, service, follow-up and closing of tickets.

received → dispatched → accepted → served → followed_up → closed; a team declines
(back to received, with a reason); a follow-up that finds the problem unsolved reopens
the ticket (back to received, with fresh time limits). Every step is a conditional
``UPDATE … WHERE status = <expected>`` with its row count checked, so two dispatchers
pressing at once make one dispatch; each step writes a timed
``TicketEvent`` and an audit entry in the same transaction.
"""

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select

from marketplace.errors import Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Community, User
from marketplace.models._common import utcnow
from marketplace.models.hotline import HOTLINE_SERVICES, URGENCIES, Ticket, TicketEvent
from marketplace.models.members import Team
from marketplace.services import audit
from marketplace.services.access import has_role, require_role, signed_in, valid_id
from marketplace.services.fields import HOTLINE, FieldReader
from marketplace.services.hotline.hotline_teams import acts_for, draft_service_records
from marketplace.services.hotline.hotline_throttle import check_online_intake
from marketplace.services.notifications import notify
from marketplace.services.notify import resident_sms
from marketplace.services.transitions import move_if

DEFAULT_TIME_LIMITS = {
    "urgent": {"dispatch_minutes": 30, "serve_hours": 24},
    "normal": {"dispatch_minutes": 240, "serve_hours": 72},
}
MAX_HOURS = 24


def time_limits(urgency: str) -> tuple[timedelta, timedelta]:
    """Return (dispatch within, serve within) for an urgency (``HOTLINE_TIME_LIMITS``)."""
    limits = DEFAULT_TIME_LIMITS
    if has_app_context():
        limits = current_app.config.get("HOTLINE_TIME_LIMITS") or DEFAULT_TIME_LIMITS
    chosen = limits.get(urgency) or DEFAULT_TIME_LIMITS[urgency]
    return timedelta(minutes=chosen["dispatch_minutes"]), timedelta(hours=chosen["serve_hours"])


def dispatchers() -> list[User]:
    """Return the active dispatcher accounts (they hear about overdue tickets)."""
    return list(
        db.session.scalars(select(User).where(User.role == "dispatcher", User.active.is_(True)))
    )


def get_ticket(ticket_id) -> Ticket:
    """Return a ticket by id, or raise NotFound."""
    ticket = db.session.get(Ticket, ticket_id) if valid_id(ticket_id) else None
    if ticket is None:
        raise NotFound("工单不存在。")
    return ticket


def _event(ticket: Ticket, action: str, before: str | None, actor: User | None, note=""):
    db.session.add(
        TicketEvent(
            ticket_id=ticket.id,
            action=action,
            from_status=before,
            to_status=ticket.status,
            team_id=ticket.team_id,
            actor_id=actor.id if actor else None,
            note=note[:1000],
        )
    )
    audit.record(
        f"hotline.{action}",
        actor=actor,
        obj=ticket,
        before={"status": before},
        after={"status": ticket.status, "team_id": ticket.team_id},
        detail=note,
    )


def _read_intake(data: Mapping, *, staff: bool) -> dict:
    reader = FieldReader(data)
    values = {
        "service_code": reader.choice(
            "service_code", "服务类别", {k: v[0] for k, v in HOTLINE_SERVICES.items()}
        ),
        "description": reader.read("description", HOTLINE["description"]),
        "caller_phone": reader.read("phone", HOTLINE["phone"]),
        "caller_name": reader.read("first_name", HOTLINE["first_name"]),
        "address": reader.read("address_string", HOTLINE["address_string"]),
        "urgency": reader.choice("urgency", "紧急程度", URGENCIES, default="normal"),
    }
    phone = values["caller_phone"]
    if phone and not (7 <= sum(ch.isdigit() for ch in phone) <= 15):
        reader.fail("phone", "联系电话格式不正确。")
    community_id = reader.integer("community_id", "社区", minimum=1, maximum=2**31 - 1)
    if community_id and db.session.get(Community, community_id) is None:
        reader.fail("community_id", "社区不存在。")
    if not community_id and not values["address"]:
        reader.fail("address_string", "请选择社区或填写地址。")
    reader.raise_if_invalid()
    values["community_id"] = community_id
    values["channel"] = "phone" if staff else "online"
    return values


def receive_ticket(actor: User | None, data: Mapping) -> Ticket:
    """Log a call (dispatcher) or take a resident's online request (no account needed)."""
    staff = signed_in(actor) and has_role(actor, "dispatcher")
    if not staff:
        actor = None
        check_online_intake()
    values = _read_intake(data, staff=staff)
    now = utcnow()
    dispatch_within, serve_within = time_limits(values["urgency"])
    ticket = Ticket(
        **values,
        status="received",
        received_at=now,
        dispatch_due_at=now + dispatch_within,
        serve_due_at=now + serve_within,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(ticket)
    db.session.flush()
    _event(ticket, "received", None, actor, ticket.channel_label)
    if not staff:
        notify(
            dispatchers(),
            "hotline.received",
            f"收到网上求助 #{ticket.id}（{ticket.service_name}）。",
        )
    db.session.commit()
    return ticket


def _move(ticket: Ticket, source: tuple[str, ...], target: str, **values) -> str:
    """Move a ticket from one of ``source`` to ``target`` iff no one moved it first."""
    before = ticket.status
    move_if(
        ticket,
        (Ticket.status.in_(source),),
        {"status": target, "updated_at": utcnow(), **values},
        _refusal,
    )
    return before


def _refusal(ticket: Ticket) -> str:
    where = f"（{ticket.team.name}）" if ticket.team is not None else ""
    return f"该工单当前为「{ticket.status_label}」{where}，不能执行此操作。"


def dispatch_ticket(actor: User, ticket_id, team_id) -> Ticket:
    """Send a waiting ticket to a team; of two dispatches at once only one lands."""
    require_role(actor, "dispatcher")
    ticket = get_ticket(ticket_id)
    team = db.session.get(Team, team_id) if valid_id(team_id) else None
    if team is None:
        raise InvalidInput("请选择要派单的服务队。", field="team_id")
    now = utcnow()
    before = _move(
        ticket,
        ("received",),
        "dispatched",
        team_id=team.id,
        dispatched_at=now,
        first_dispatched_at=ticket.first_dispatched_at or now,
    )
    _event(ticket, "dispatched", before, actor, team.name)
    notify(
        _team_actors(team),
        "hotline.dispatched",
        f"新派单 #{ticket.id}：{ticket.service_name}（{ticket.urgency_label}），请及时接单。",
        urgent=ticket.urgency == "urgent",
    )
    resident_sms.ticket_dispatched(ticket, team)
    db.session.commit()
    return ticket


def _team_actors(team: Team) -> list[User]:
    users = [team.leader] if team.leader is not None and team.leader.active else []
    if team.co_leader is not None and team.co_leader.user.active:
        users.append(team.co_leader.user)
    return users


def _for_team(actor: User, ticket_id) -> Ticket:
    if not has_role(actor, "community", "member"):
        raise Forbidden("只有服务队负责人可以处理派单。")
    ticket = get_ticket(ticket_id)
    if ticket.team is None or not acts_for(actor, ticket.team):
        raise Forbidden("只有该服务队的负责人可以处理这张工单。")
    return ticket


def accept_ticket(actor: User, ticket_id) -> Ticket:
    """Accept a dispatched ticket on behalf of the team."""
    ticket = _for_team(actor, ticket_id)
    before = _move(ticket, ("dispatched",), "accepted", accepted_at=utcnow())
    _event(ticket, "accepted", before, actor)
    db.session.commit()
    return ticket


def decline_ticket(actor: User, ticket_id, reason) -> Ticket:
    """Hand a dispatched ticket back (with a reason): it waits for dispatch again."""
    ticket = _for_team(actor, ticket_id)
    reader = FieldReader({"reason": reason})
    reason = reader.read("reason", HOTLINE["reason"])
    reader.raise_if_invalid()
    team_name = ticket.team.name
    before = _move(ticket, ("dispatched",), "received", team_id=None, declines=Ticket.declines + 1)
    _event(ticket, "declined", before, actor, f"{team_name}：{reason}")
    notify(dispatchers(), "hotline.declined", f"工单 #{ticket.id} 被{team_name}退回：{reason}")
    db.session.commit()
    return ticket


def serve_ticket(actor: User, ticket_id, summary, hours, member_ids=()) -> Ticket:
    """Record what the team did, the hours and who served (drafting their service records)."""
    ticket = _for_team(actor, ticket_id)
    reader = FieldReader({"summary": summary, "hours": hours})
    summary = reader.read("summary", HOTLINE["summary"])
    hours = _read_hours(reader, hours)
    reader.raise_if_invalid()
    team = ticket.team
    before = _move(
        ticket,
        ("accepted",),
        "served",
        served_at=utcnow(),
        service_summary=summary,
        service_hours=hours,
    )
    served = draft_service_records(actor, ticket, team, member_ids, summary, hours)
    note = f"{summary}（{hours:g} 小时；{'、'.join(m.name for m in served) or '未登记队员'}）"
    _event(ticket, "served", before, actor, note)
    notify(dispatchers(), "hotline.served", f"工单 #{ticket.id} 已完成服务，请回访。")
    resident_sms.ticket_served(ticket)
    db.session.commit()
    return ticket


def follow_up_ticket(actor: User, ticket_id, satisfaction, resolved, note="") -> Ticket:
    """Record the call-back: satisfaction 1–5 and whether it was solved (unsolved reopens)."""
    require_role(actor, "dispatcher")
    ticket = get_ticket(ticket_id)
    reader = FieldReader({"satisfaction": satisfaction, "note": note})
    score = reader.integer("satisfaction", "满意度", minimum=1, maximum=5, required=True)
    note = reader.read("note", HOTLINE["note"])
    if not isinstance(resolved, bool):
        reader.fail("resolved", "请选择问题是否解决。")
    reader.raise_if_invalid()
    now = utcnow()
    if resolved:
        before = _move(
            ticket,
            ("served",),
            "followed_up",
            followed_up_at=now,
            satisfaction=score,
            resolved=True,
            followup_note=note,
        )
        _event(ticket, "followed_up", before, actor, f"满意度 {score}，已解决。{note}")
    else:
        dispatch_within, serve_within = time_limits(ticket.urgency)
        before = _move(
            ticket,
            ("served",),
            "received",
            team_id=None,
            followed_up_at=now,
            satisfaction=score,
            resolved=False,
            followup_note=note,
            reopens=Ticket.reopens + 1,
            dispatch_due_at=now + dispatch_within,
            serve_due_at=now + serve_within,
            overdue_stage=None,
            overdue_at=None,
        )
        _event(ticket, "reopened", before, actor, f"满意度 {score}，未解决。{note}")
    db.session.commit()
    return ticket


def close_ticket(actor: User, ticket_id) -> Ticket:
    """Close a followed-up ticket (办结)."""
    require_role(actor, "dispatcher")
    ticket = get_ticket(ticket_id)
    before = _move(ticket, ("followed_up",), "closed", closed_at=utcnow())
    _event(ticket, "closed", before, actor)
    db.session.commit()
    return ticket


def _read_hours(reader: FieldReader, value) -> float | None:
    """Read service hours: a number from 0.5 to 24 (halves allowed)."""
    if value in (None, ""):
        reader.fail("hours", "请填写服务时长（小时）。")
        return None
    try:
        hours = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        hours = math.nan
    if not math.isfinite(hours) or not 0.5 <= hours <= MAX_HOURS:
        reader.fail("hours", f"服务时长应在 0.5 到 {MAX_HOURS} 小时之间。")
        return None
    return round(hours * 2) / 2


def is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    """Tell whether a ticket is late now: not dispatched or not served within its limits."""
    now = _aware(now or utcnow())
    dispatch_due = _aware(ticket.dispatch_due_at)
    serve_due = _aware(ticket.serve_due_at)
    if ticket.status == "received" and dispatch_due < now:
        return True
    return ticket.status in ("received", "dispatched", "accepted") and serve_due < now


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
