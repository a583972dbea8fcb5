"""Reminder jobs: each reminder goes once, through the in-app notice and the outbox."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Booking,
    Delivery,
    JointMeeting,
    MeetingAttendance,
    Notification,
    Wish,
)
from marketplace.services import jobs
from marketplace.services.notify import reminders
from tests.factories import make_community, make_offer, make_unit, make_user

NOON = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)  # 12:00 in the county


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr(clock, "_system_now", lambda: NOON)
    return clock.now()


def _notices(kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


def _booking(day_offset: int, **values) -> Booking:
    starts = clock.at(clock.today() + timedelta(days=day_offset), datetime.min.time()) + timedelta(
        hours=15
    )
    booking = Booking(
        offer=make_offer(kind="facility", title="多功能厅"),
        requester_name="王小明",
        starts_at=starts.astimezone(UTC),
        ends_at=(starts + timedelta(hours=1)).astimezone(UTC),
        status="accepted",
        **values,
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def test_a_booking_is_reminded_the_day_before_once(app, now):
    app.config.update(SMS_GATEWAY_URL="http://127.0.0.1:9/sms")
    requester = make_user("community")
    _booking(1, requester_user_id=requester.id)
    _booking(2, requester_user_id=requester.id)  # the day after: not yet
    _booking(1, requester_phone="13900000009")  # a resident without an account
    assert reminders.remind_bookings(now) == 2
    assert reminders.remind_bookings(now) == 0
    [notice] = _notices("booking.reminder")
    assert notice.user_id == requester.id and "多功能厅" in notice.message
    [text] = db.session.scalars(select(Delivery).where(Delivery.channel == "sms"))
    assert text.address == "13900000009" and "王小明" not in text.body and len(text.body) <= 70


def test_a_meeting_invites_its_units_and_reminds_them_the_day_before(app, now):
    community = make_community()
    unit = make_unit()
    secretary = make_user("unit", unit=unit)
    meeting = JointMeeting(
        level="community",
        county_id=community.township.county_id,
        community_id=community.id,
        held_on=clock.today() + timedelta(days=1),
        theme="共建议事",
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingAttendance(meeting_id=meeting.id, unit_id=unit.id))
    db.session.commit()
    assert reminders.remind_meetings(now) == 2
    assert reminders.remind_meetings(now) == 0
    assert {n.kind for n in _notices("meeting.invite") + _notices("meeting.eve")} == {
        "meeting.invite",
        "meeting.eve",
    }
    assert all(n.user_id == secretary.id for n in _notices("meeting.eve"))


def test_wishes_near_their_deadline_warn_the_community_once(app, now):
    community = make_community()
    staff = make_user("community", community=community)
    for days in (2, 5):
        db.session.add(
            Wish(
                community_id=community.id,
                title=f"{days}天后到期的心愿",
                value_yuan=50,
                resident_name="张奶奶",
                deadline=clock.today() + timedelta(days=days),
            )
        )
    db.session.commit()
    assert reminders.remind_wishes(now) == 1
    assert reminders.remind_wishes(now) == 0
    [notice] = _notices("wish.deadline")
    assert notice.user_id == staff.id and "2天后到期" in notice.message


def test_the_notify_jobs_are_registered_and_idempotent(app, now):
    names = [name for name, _ in jobs.JOBS]
    for name in ("notify.bookings", "notify.meetings", "notify.wishes", "notify.digest"):
        assert name in names
    assert names[-1] == "notify.deliver"  # after the reminders, so they go in the same run
    first = jobs.run_due(now, only=[n for n in names if n.startswith("notify.")])
    assert all(result.error is None for result in first)
    again = jobs.run_due(now, only=[n for n in names if n.startswith("notify.")])
    assert all(result.count == 0 for result in again)
