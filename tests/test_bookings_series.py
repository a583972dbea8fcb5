"""Recurring bookings: weekly or monthly by weekday, all or none, answered once."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from marketplace import clock
from marketplace.models import Booking, BookingSeries
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.services.exchange import booking_series, bookings
from tests.factories import make_offer, make_user
from tests.test_api_marketplace import Api

FIRST = clock.today() + timedelta(days=2)


def _at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour, 0)).strftime("%Y-%m-%d %H:%M")


def _body(day=FIRST, **extra):
    return {
        "starts_at": _at(day, 14),
        "ends_at": _at(day, 16),
        "requester_name": "李红",
        "requester_phone": "0710-5551234",
        "purpose": "每周党员学习",
        **extra,
    }


@pytest.fixture
def room(app):
    return make_offer(
        kind="facility", facility_kind="meeting_room", capacity=30, open_weekdays=ALL_WEEKDAYS
    )


@pytest.fixture
def people(room, client):
    owner = make_user("unit", unit=room.unit)
    staff = make_user("community")
    return {"owner": Api(client, owner), "staff": Api(client, staff), "staff_user": staff}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_four_week_series_with_one_taken_week_is_refused_whole(room, people, db):
    taken_day = FIRST + timedelta(weeks=2)
    other = bookings.request_booking(people["staff_user"], room.id, _body(taken_day))
    bookings.accept_booking(people["owner"].user, other.id)
    before = _count(db, Booking)

    refused = people["staff"].post(
        f"/offers/{room.id}/bookings", _body(repeat={"every": "week", "count": 4})
    )
    assert refused.status_code == 409, refused.json
    assert refused.json["field"] == "repeat"
    assert taken_day.isoformat() in refused.json["error"]
    assert (_count(db, Booking), _count(db, BookingSeries)) == (before, 0)

    bookings.cancel_booking(people["owner"].user, other.id)
    made = people["staff"].post(
        f"/offers/{room.id}/bookings", _body(repeat={"every": "week", "count": 4})
    )
    assert made.status_code == 201, made.json
    days = [item["starts_at"][:10] for item in made.json["bookings"]]
    assert days == [(FIRST + timedelta(weeks=i)).isoformat() for i in range(4)]
    assert made.json["series"]["count"] == 4
    assert _count(db, Booking) == before + 4


def test_the_owner_answers_the_series_once_and_occurrences_cancel_alone(room, people, db):
    made = (
        people["staff"]
        .post(f"/offers/{room.id}/bookings", _body(repeat={"every": "week", "count": 3}))
        .json["series"]
    )
    assert people["staff"].post(f"/booking-series/{made['id']}/accept").status_code == 403
    accepted = people["owner"].post(f"/booking-series/{made['id']}/accept")
    assert accepted.status_code == 200
    assert {item["status"] for item in accepted.json["bookings"]} == {"accepted"}
    assert people["owner"].post(f"/booking-series/{made['id']}/accept").status_code == 409

    middle = accepted.json["bookings"][1]["id"]
    assert people["staff"].post(f"/bookings/{middle}/cancel").status_code == 200
    statuses = [db.session.get(Booking, item["id"]).status for item in accepted.json["bookings"]]
    assert statuses == ["accepted", "cancelled", "accepted"]


def test_accepting_a_series_takes_none_when_one_date_was_taken_meanwhile(room, people, db):
    series = booking_series.request_series(
        people["staff_user"], room.id, _body(repeat={"every": "week", "count": 3})
    )
    clash = bookings.request_booking(
        people["staff_user"], room.id, _body(FIRST + timedelta(weeks=1))
    )
    bookings.accept_booking(people["owner"].user, clash.id)
    refused = people["owner"].post(f"/booking-series/{series.id}/accept")
    assert refused.status_code == 409
    db.session.expire_all()
    assert {item.status for item in db.session.get(BookingSeries, series.id).bookings} == {
        "requested"
    }


def test_monthly_by_weekday_keeps_the_week_of_the_month():
    first_friday = date(2027, 1, 1)  # 2027-01-01 is the first Friday of January
    days = booking_series.occurrence_days(first_friday, "month_weekday", 3)
    assert days == [date(2027, 1, 1), date(2027, 2, 5), date(2027, 3, 5)]
    assert booking_series.rule_label(first_friday, "month_weekday") == "每月第一个周五"


@pytest.mark.parametrize(
    "repeat", [{"every": "day", "count": 3}, {"every": "week", "count": 13}, {"every": "week"}, 5]
)
def test_bad_repeat_rules_are_refused_by_field(room, people, repeat, db):
    response = people["staff"].post(f"/offers/{room.id}/bookings", _body(repeat=repeat))
    assert response.status_code == 400 and response.json["field"] == "repeat"
    assert _count(db, Booking) == 0
