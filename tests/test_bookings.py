"""Facility bookings: the workflow, its checks, and no over-booking under concurrency."""

import threading
from datetime import UTC, date, time, timedelta

import pytest
from sqlalchemy import func, select

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import AuditEntry, Booking, BookingSlot, Notification, User
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.services.exchange import bookings
from tests.factories import make_offer, make_unit, make_user
from tests.helpers.bookings import at, make_room, request

PAST = clock.today() - timedelta(days=2)
FAR = clock.today() + timedelta(days=120)


@pytest.fixture
def room(app):
    return make_room()


@pytest.fixture
def owner(room):
    return make_user("unit", unit=room.unit)


def test_request_accept_and_cancel(app, room, owner):
    booking = request(room)
    assert booking.status == "requested"
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    bookings.accept_booking(owner, booking.id, "请提前十分钟到")
    assert booking.status == "accepted"
    assert db.session.scalar(select(func.count()).select_from(BookingSlot)) == 2
    bookings.cancel_booking(owner, booking.id)
    assert booking.status == "cancelled"
    assert db.session.scalar(select(func.count()).select_from(BookingSlot)) == 0
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "booking")
    ).all()
    assert actions == ["booking.requested", "booking.accepted", "booking.cancelled"]


def test_times_are_china_time_and_stored_in_utc(app, room):
    booking = request(room, start=(9, 0), end=(9, 30))
    starts = booking.starts_at.replace(tzinfo=booking.starts_at.tzinfo or UTC)  # SQLite: naive
    assert starts.astimezone(UTC).hour == 1
    assert clock.local(starts).hour == 9


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "明天上午"}, "starts_at"),
        ({"ends_at": at(9, 0)}, "ends_at"),
        ({"starts_at": at(10, 10)}, "starts_at"),
        ({"starts_at": at(10, 0, PAST), "ends_at": at(11, 0, PAST)}, "starts_at"),
        ({"starts_at": at(10, 0, FAR), "ends_at": at(11, 0, FAR)}, "starts_at"),
        ({"requester_phone": "call me"}, "requester_phone"),
        ({"requester_name": ""}, "requester_name"),
        ({"purpose": " "}, "purpose"),
        ({"quantity": 2}, "quantity"),
    ],
)
def test_bad_requests_are_refused_by_field_and_write_nothing(app, room, change, field):
    with pytest.raises(InvalidInput) as refused:
        request(room, **change)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_opening_hours_are_respected(app):
    hall = make_offer(
        kind="facility",
        facility_kind="activity_room",
        capacity=50,
        open_weekdays=ALL_WEEKDAYS,
        open_from=time(8, 30),
        open_until=time(17, 30),
    )
    with pytest.raises(InvalidInput, match="开放时间"):
        request(hall, start=(17, 0), end=(18, 0))
    assert request(hall, start=(16, 30), end=(17, 30)).status == "requested"


def test_private_facility_needs_a_login_and_services_are_not_bookable(app):
    private = make_offer(
        kind="facility", facility_kind="meeting_room", is_public=False, open_weekdays=ALL_WEEKDAYS
    )
    with pytest.raises(Forbidden):
        request(private)
    staff = make_user("community")
    assert request(private, requester=staff).requester_user_id == staff.id
    with pytest.raises(NotFound):
        request(make_offer(kind="service"))


def test_only_the_owning_unit_answers(app, room, owner):
    booking = request(room)
    stranger = make_user("unit", unit=make_unit())
    for actor in (stranger, make_user("community"), make_user("reviewer")):
        with pytest.raises(Forbidden):
            bookings.accept_booking(actor, booking.id)
    assert db.session.get(Booking, booking.id).status == "requested"


def test_states_in_order(app, room, owner):
    booking = request(room)
    bookings.decline_booking(owner, booking.id, "当天已有安排")
    with pytest.raises(Conflict):
        bookings.accept_booking(owner, booking.id)
    with pytest.raises(Conflict):
        bookings.cancel_booking(owner, booking.id)


def test_overlap_refused_adjacent_fine(app, room, owner):
    first, overlapping, adjacent = (
        request(room, start=(10, 0), end=(11, 0)),
        request(room, start=(10, 30), end=(11, 30)),
        request(room, start=(11, 0), end=(12, 0)),
    )
    bookings.accept_booking(owner, first.id)
    with pytest.raises(Conflict):
        bookings.accept_booking(owner, overlapping.id)
    assert db.session.get(Booking, overlapping.id).status == "requested"
    bookings.accept_booking(owner, adjacent.id)


def test_requester_is_told_the_answer(app, room, owner):
    resident = make_user("community")
    booking = request(room, requester=resident)
    bookings.accept_booking(owner, booking.id)
    notes = db.session.scalars(select(Notification).where(Notification.user_id == resident.id))
    assert [note.kind for note in notes] == ["booking.accepted"]


def _race(app, booking_ids, owner_id):
    """Answer every booking from its own thread, all released together."""
    barrier = threading.Barrier(len(booking_ids), timeout=60)
    outcomes, errors = [], []

    def answer(booking_id):
        with app.app_context():
            owner = db.session.get(User, owner_id)
            db.session.commit()  # on SQLite an open transaction holds the write lock
            barrier.wait(timeout=60)
            try:
                bookings.accept_booking(owner, booking_id)
                outcomes.append("accepted")
            except Conflict:
                outcomes.append("conflict")
            except Exception as error:  # "database is locked" would land here
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer, args=(i,)) for i in booking_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a thread hung"
    return outcomes, errors


def test_c4_twenty_overlapping_bookings_one_accepted(app, room, owner):
    owner_id = owner.id
    ids = [request(room, start=(9, 0), end=(10, 0)).id for _ in range(20)]
    db.session.commit()  # reading ids began a transaction; SQLite holds its lock till it ends
    outcomes, errors = _race(app, ids, owner_id)
    assert errors == []
    assert outcomes.count("accepted") == 1
    assert outcomes.count("conflict") == 19


def test_parking_lot_takes_as_many_as_it_has_spaces(app):
    lot = make_offer(
        kind="facility", facility_kind="parking", capacity=5, open_weekdays=ALL_WEEKDAYS
    )
    owner_id = make_user("unit", unit=lot.unit).id
    ids = [request(lot, start=(14, 0), end=(16, 0)).id for _ in range(8)]
    db.session.commit()
    outcomes, errors = _race(app, ids, owner_id)
    assert errors == []
    assert outcomes.count("accepted") == 5
    lanes = db.session.execute(select(BookingSlot.slot_start, BookingSlot.lane)).all()
    assert len(lanes) == len(set(lanes)) == 5 * 4


def test_the_form_suggests_the_next_day_the_facility_opens(app):
    room = make_offer(kind="facility", facility_kind="meeting_room", open_weekdays=0b11111)
    saturday = date(2026, 11, 21)
    assert bookings.next_open_day(room, saturday) == date(2026, 11, 23)  # Monday
    assert bookings.next_open_day(room, date(2026, 11, 24)) == date(2026, 11, 24)
