"""Meetings announced ahead: invited, answered, reminded, then recorded on the same row."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from marketplace import clock
from marketplace.models import Booking, JointMeeting, Notification
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.services.oversight import meeting_schedule, meetings
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_offer
from tests.oversight_helpers import PairWorld
from tests.test_api_marketplace import Api

NEXT_WEEK = county_today() + timedelta(days=7)


@pytest.fixture
def world(app, client):
    world = PairWorld()
    world.api = {
        name: Api(client, getattr(world, name))
        for name in ("staff", "unit_user", "second_unit_user", "other_unit_user")
    }
    return world


def _notices(db, user, kind) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    )


def _travel(monkeypatch, day):
    moment = datetime.combine(day, time(10, 0), tzinfo=clock.zone()).astimezone(UTC)
    monkeypatch.setattr(clock, "_system_now", lambda: moment)


def test_a_meeting_announced_for_next_week_is_invited_answered_then_recorded(
    world, db, monkeypatch
):
    api = world.api
    created = api["staff"].post(
        "/meetings",
        {
            "level": "community",
            "date": NEXT_WEEK.isoformat(),
            "theme": "冬季安全",
            "agenda_draft": "一、通报隐患排查\n二、议定志愿巡查",
            "invited_unit_ids": [world.unit.id, world.second_unit.id],
        },
    )
    assert created.status_code == 201, created.json
    meeting = created.json
    assert (meeting["status"], meeting["date"]) == ("announced", NEXT_WEEK.isoformat())
    assert _notices(db, world.unit_user, "meeting_invited") == 1
    assert _notices(db, world.other_unit_user, "meeting_invited") == 0

    url = f"/meetings/{meeting['id']}"
    yes = api["unit_user"].post(f"{url}/rsvp", {"answer": "yes", "note": "书记带队参加"})
    assert yes.status_code == 200, yes.json
    no = api["second_unit_user"].post(f"{url}/rsvp", {"answer": "no", "note": "当天有检查"})
    assert no.status_code == 200
    answers = {row["unit_id"]: row["rsvp"] for row in no.json["invited"]}
    assert answers == {world.unit.id: "yes", world.second_unit.id: "no"}
    assert api["other_unit_user"].post(f"{url}/rsvp", {"answer": "yes"}).status_code == 403
    bad = api["unit_user"].post(f"{url}/rsvp", {"answer": "maybe"})
    assert bad.status_code == 400 and bad.json["field"] == "answer"

    early = api["staff"].post(f"{url}/record", {"present": [world.unit.id], "minutes": "…"})
    assert early.status_code == 409 and "当天或之后" in early.json["error"]

    _travel(monkeypatch, NEXT_WEEK - timedelta(days=1))
    assert meeting_schedule.remind_upcoming() == 1
    assert meeting_schedule.remind_upcoming() == 0  # once only
    assert _notices(db, world.unit_user, "meeting_reminder") == 1
    assert _notices(db, world.second_unit_user, "meeting_reminder") == 0  # said no

    _travel(monkeypatch, NEXT_WEEK)
    recorded = api["staff"].post(
        f"{url}/record",
        {"present": [world.unit.id], "minutes": "议定两项事项。", "next_theme": "春节慰问"},
    )
    assert recorded.status_code == 200, recorded.json
    assert recorded.json["status"] == "held" and recorded.json["id"] == meeting["id"]
    present = {row["unit_id"]: row["present"] for row in recorded.json["invited"]}
    assert present == {world.unit.id: True, world.second_unit.id: False}
    assert api["staff"].post(f"{url}/record", {"present": []}).status_code == 409
    assert api["unit_user"].post(f"{url}/rsvp", {"answer": "yes"}).status_code == 409
    assert db.session.scalar(select(func.count(JointMeeting.id))) == 1


def test_an_announcement_books_the_room_and_refuses_a_past_date(world, db):
    room = make_offer(
        kind="facility", facility_kind="meeting_room", capacity=30, open_weekdays=ALL_WEEKDAYS
    )
    past = meeting_schedule.announce_meeting  # the service directly
    with pytest.raises(Exception, match="不能早于今天"):
        past(
            world.staff,
            {
                "date": (county_today() - timedelta(days=1)).isoformat(),
                "theme": "补记",
                "invited_unit_ids": [world.unit.id],
            },
        )
    [meeting] = meeting_schedule.announce_meeting(
        world.staff,
        {
            "date": NEXT_WEEK.isoformat(),
            "theme": "议事会",
            "invited_unit_ids": [str(world.unit.id)],
            "place_offer_id": room.id,
            "start": "14:00",
            "end": "16:00",
            "phone": "0710-5551234",
        },
    )
    booking = db.session.get(Booking, meeting.booking_id)
    assert booking.offer_id == room.id and booking.status == "requested"
    assert clock.local(booking.starts_at).date() == NEXT_WEEK


def test_a_monthly_lecture_repeats_on_the_same_weekday_of_the_week(world):
    first = county_today() + timedelta(days=1)
    while (first.day - 1) // 7 != 0:  # a first-week day
        first += timedelta(days=1)
    series = meeting_schedule.announce_meeting(
        world.staff,
        {
            "date": first.isoformat(),
            "kind": "lecture",
            "theme": "社区大课堂",
            "invited_unit_ids": [world.unit.id],
            "repeat_months": 3,
        },
    )
    assert [m.held_on.weekday() for m in series] == [first.weekday()] * 3
    assert all((m.held_on.day - 1) // 7 == 0 for m in series)
    assert {m.series_first_id for m in series[1:]} == {series[0].id}
    assert meetings.get_meeting(world.unit_user, series[2].id).kind_label == "社区大课堂"
