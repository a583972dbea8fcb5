"""Facility bookings for tests: a bookable room, times tomorrow, a booking request."""

from datetime import date, datetime, time, timedelta

from marketplace import clock
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.services.exchange import bookings
from tests.factories import make_offer

TOMORROW = clock.today() + timedelta(days=1)


def at(hour: int, minute: int = 0, day: date = TOMORROW) -> str:
    return datetime.combine(day, time(hour, minute)).strftime("%Y-%m-%d %H:%M")


def request(offer, start=(10, 0), end=(11, 0), requester=None, **extra):
    data = {
        "starts_at": at(*start),
        "ends_at": at(*end),
        "requester_name": "张晓梅",
        "requester_phone": "0710-5551234",
        "purpose": "楼栋议事会",
        **extra,
    }
    return bookings.request_booking(requester, offer.id, data)


def make_room():
    """A meeting room for 30, open every day."""
    return make_offer(
        kind="facility", facility_kind="meeting_room", capacity=30, open_weekdays=ALL_WEEKDAYS
    )
