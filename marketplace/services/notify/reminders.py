"""Reminders and the daily digest: periodic jobs (``flask jobs run``), each idempotent.

A reminder is sent once: its key (``booking:12:eve``) goes into ``ReminderSent`` in the
same transaction as the notice, and a key already there is skipped. The quarter-end pair
reminder and the overdue-ticket notices are written by their own domains' jobs; like
every notice they reach the outside channels through ``notify``.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select, update

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Booking,
    Delivery,
    JointMeeting,
    MeetingAttendance,
    ReminderSent,
    User,
    Wish,
)
from marketplace.services.notifications import notify, staff_of
from marketplace.services.notify.outbox import SITE_NAME, text_phone

WISH_WARNING_DAYS = 3


def _first_time(key: str) -> bool:
    """Tell whether the reminder ``key`` is due; mark it sent (in this transaction)."""
    if db.session.get(ReminderSent, key) is not None:
        return False
    db.session.add(ReminderSent(key=key))
    return True


def remind_bookings(now: datetime) -> int:
    """Remind each accepted booking of tomorrow: its requester's account, or their phone."""
    start, end = clock.day_bounds(now.date() + timedelta(days=1))
    bookings = db.session.scalars(
        select(Booking).where(
            Booking.status == "accepted", Booking.starts_at >= start, Booking.starts_at < end
        )
    ).all()
    sent = 0
    for booking in bookings:
        if not _first_time(f"booking:{booking.id}:eve"):
            continue
        when = clock.local(booking.starts_at).strftime("%m-%d %H:%M")
        message = f"提醒：您预约的“{booking.offer.title}”在明天 {when}，请按时使用。"
        requester = db.session.get(User, booking.requester_user_id or 0)
        if requester is not None:
            notify([requester], "booking.reminder", message, f"/offers/{booking.offer_id}")
        else:
            text_phone(
                booking.requester_phone,
                "booking.reminder",
                f"您预约的{booking.offer.title[:16]}在明天{when[6:]}，请按时使用。",
            )
        sent += 1
    db.session.commit()
    return sent


def remind_meetings(now: datetime) -> int:
    """Invite each unit to its coming meetings once, and remind it the day before."""
    today = now.date()
    rows = db.session.execute(
        select(JointMeeting, MeetingAttendance.unit_id)
        .join(MeetingAttendance, MeetingAttendance.meeting_id == JointMeeting.id)
        .where(JointMeeting.held_on >= today)
    ).all()
    sent = 0
    for meeting, unit_id in rows:
        steps = [("invite", f"邀请贵单位参加{meeting.host_name}联席会议（{meeting.held_on}）")]
        if meeting.held_on == today + timedelta(days=1):
            steps.append(("eve", f"提醒：{meeting.host_name}联席会议明天召开"))
        for step, text in steps:
            if _first_time(f"meeting:{meeting.id}:{step}:{unit_id}"):
                message = f"{text}，议题：{meeting.theme}。"
                notify(staff_of(unit_id=unit_id), f"meeting.{step}", message, "/meetings/")
                sent += 1
    db.session.commit()
    return sent


def remind_wishes(now: datetime) -> int:
    """Warn about wishes within three days of their deadline: staff if open, the claimer."""
    today = now.date()
    wishes = db.session.scalars(
        select(Wish).where(
            Wish.status.in_(("open", "claimed")),
            Wish.deadline >= today,
            Wish.deadline <= today + timedelta(days=WISH_WARNING_DAYS),
        )
    ).all()
    sent = 0
    for wish in wishes:
        if not _first_time(f"wish:{wish.id}:deadline:{wish.status}"):
            continue
        url = f"/wishes/{wish.id}"
        if wish.status == "open":
            message = f"微心愿「{wish.title}」将于 {wish.deadline} 到期，仍无人认领。"
            notify(staff_of(community_id=wish.community_id), "wish.deadline", message, url)
        else:
            claimer = db.session.get(User, wish.claimer_user_id or 0)
            message = f"您认领的微心愿「{wish.title}」将于 {wish.deadline} 到期，请尽快兑现。"
            notify([claimer] if claimer else [], "wish.deadline", message, url)
        sent += 1
    db.session.commit()
    return sent


def send_digests(now: datetime) -> int:
    """Bundle each digest reader's notices from before today into one e-mail."""
    start_of_today, _ = clock.day_bounds(now.date())
    held = db.session.scalars(
        select(Delivery)
        .where(Delivery.status == "held", Delivery.created_at < start_of_today)
        .order_by(Delivery.user_id, Delivery.id)
    ).all()
    by_reader: dict[tuple[int | None, str], list[Delivery]] = defaultdict(list)
    for row in held:
        by_reader[(row.user_id, row.address)].append(row)
    for (user_id, address), rows in by_reader.items():
        lines = [f"· {clock.local_time(row.created_at)} {row.body}" for row in rows]
        db.session.add(
            Delivery(
                channel="email",
                address=address,
                user_id=user_id,
                kind="digest",
                subject=f"{SITE_NAME} · 每日通知汇总（{len(rows)} 条）",
                body="\n".join(lines),
            )
        )
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_([row.id for row in rows]), Delivery.status == "held")
            .values(status="merged")
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return len(by_reader)
