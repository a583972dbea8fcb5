"""The date-aware facility finder, the booking form's day view, and the resident look-up.

A room booked for Saturday 19:00–20:00 is not shown as free then.
"""

from datetime import time, timedelta

import pytest

from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.services.accounts import issue_api_token
from marketplace.services.exchange import bookings, facility_finder
from tests.factories import make_community, make_offer, make_unit, make_user
from tests.helpers.bookings import request as ask
from tests.helpers.dates import next_weekday

SATURDAY = next_weekday(5)


def book(offer, owner, day, start, end, quantity=1, accept=True):
    booking = bookings.request_booking(
        None,
        offer.id,
        {
            "starts_at": f"{day} {start}",
            "ends_at": f"{day} {end}",
            "quantity": quantity,
            "requester_name": "李秀英",
            "requester_phone": "13907105678",
            "purpose": "居民议事",
        },
    )
    if accept:
        bookings.accept_booking(owner, booking.id)
    return booking


def found(**args) -> list[str]:
    filters = facility_finder.read_filters({k: str(v) for k, v in args.items()})
    return [offer.title for offer in facility_finder.find_facilities(filters).page.items]


@pytest.fixture
def rooms(app):
    """An evening room open every day 08:00-22:00, a workday room, two-space parking."""
    evening = make_offer(
        kind="facility", title="晚间会议室", open_weekdays=ALL_WEEKDAYS,
        open_from=time(8), open_until=time(22),
    )  # fmt: skip
    office = make_offer(
        kind="facility", title="工作日会议室", open_weekdays=0b11111,
        open_from=time(8, 30), open_until=time(17, 30),
    )  # fmt: skip
    parking = make_offer(
        kind="facility", title="共享车位", facility_kind="parking", capacity=2,
        open_weekdays=ALL_WEEKDAYS,
    )  # fmt: skip
    return evening, office, parking


def test_a_room_booked_on_saturday_evening_is_not_free_then(rooms):
    evening, _office, _parking = rooms
    book(evening, make_user("unit", unit=evening.unit), SATURDAY, "19:00", "20:00")
    assert "晚间会议室" not in found(date=SATURDAY, start="19:00", end="20:00")
    assert "晚间会议室" not in found(date=SATURDAY, start="18:30", end="19:30")  # overlaps
    assert "晚间会议室" in found(date=SATURDAY, start="20:00", end="21:00")
    assert "晚间会议室" in found(date=SATURDAY + timedelta(days=7), start="19:00", end="20:00")


def test_a_requested_but_unanswered_booking_leaves_the_room_free(rooms):
    evening, _office, _parking = rooms
    book(evening, None, SATURDAY, "19:00", "20:00", accept=False)
    assert "晚间会议室" in found(date=SATURDAY, start="19:00", end="20:00")


def test_opening_hours_and_days_decide_too(rooms):
    monday = next_weekday(0)
    both = set(found(date=monday, start="09:00", end="10:00", kind="meeting_room"))
    assert both == {"晚间会议室", "工作日会议室"}
    assert found(date=monday, start="17:00", end="18:00", kind="meeting_room") == ["晚间会议室"]
    assert found(date=SATURDAY, start="09:00", end="10:00", kind="meeting_room") == ["晚间会议室"]
    assert "工作日会议室" not in found(date=SATURDAY)  # a date alone: open that day


def test_parking_is_full_only_when_every_space_is_taken(rooms):
    _evening, _office, parking = rooms
    owner = make_user("unit", unit=parking.unit)
    book(parking, owner, SATURDAY, "09:00", "11:00")
    assert "共享车位" in found(date=SATURDAY, start="10:00", end="10:30")
    book(parking, owner, SATURDAY, "10:00", "12:00")
    assert "共享车位" not in found(date=SATURDAY, start="10:00", end="10:30")
    assert "共享车位" in found(date=SATURDAY, start="09:00", end="10:00")


def test_nearest_to_the_chosen_community_first(app):
    here = make_community(latitude=31.00, longitude=113.70)
    far = make_unit(latitude=31.20, longitude=113.95)
    near = make_unit(latitude=31.001, longitude=113.702)
    make_offer(kind="facility", title="远处会议室", unit=far, capacity=300, open_weekdays=127)
    make_offer(kind="facility", title="近处会议室", unit=near, capacity=10, open_weekdays=127)
    assert found() == ["远处会议室", "近处会议室"]  # largest first without a community
    filters = facility_finder.read_filters({"near": str(here.id)})
    result = facility_finder.find_facilities(filters)
    assert [o.title for o in result.page.items] == ["近处会议室", "远处会议室"]
    distances = [result.distances[o.id] for o in result.page.items]
    assert distances[0] < 0.5 < 25 < distances[1] < 40


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        ({"date": "2026-13-40"}, "date", "YYYY-MM-DD"),
        ({"date": "2000-01-01"}, "date", "今天"),
        ({"start": "19:00"}, "end", "同时选择"),
        ({"start": "20:00", "end": "19:00"}, "end", "晚于"),
        ({"start": "19:15", "end": "20:00"}, "start", "整点或半点"),
        ({"start": "25:99", "end": "26:00"}, "start", "HH:MM"),
        ({"kind": "castle"}, "kind", "场地类型"),
        ({"min_capacity": "abc"}, "min_capacity", "整数"),
        ({"township_id": "x"}, "township_id", "整数"),
    ],
)
def test_bad_filters_are_refused_in_chinese(app, args, field, words):
    with pytest.raises(InvalidInput) as refused:
        facility_finder.read_filters(args)
    assert refused.value.field == field and words in refused.value.message


def test_the_api_lists_free_facilities(client, rooms):
    evening, _office, _parking = rooms
    book(evening, make_user("unit", unit=evening.unit), SATURDAY, "19:00", "20:00")
    answer = client.get(
        f"/api/v1/facilities?date={SATURDAY}&start=19:00&end=20:00&kind=meeting_room"
    )
    assert answer.status_code == 200
    assert answer.get_json()["facilities"] == []
    answer = client.get(f"/api/v1/facilities?date={SATURDAY}&start=20:00&end=21:00&min_capacity=5")
    listed = answer.get_json()["facilities"]
    assert [item["title"] for item in listed] == ["晚间会议室"]
    assert {"id", "unit_id", "title", "capacity", "opening_label", "distance_km"} <= set(listed[0])
    assert listed[0]["unit_id"] == evening.unit_id
    bad = client.get("/api/v1/facilities?date=tomorrow")
    assert bad.status_code == 400 and "日期" in bad.get_json()["error"]
    assert bad.get_json()["field"] == "date"


def test_the_finder_page_shows_the_period_and_links_to_a_prefilled_form(client, rooms):
    page = client.get(f"/facilities?date={SATURDAY}&start=19:00&end=20:00&kind=meeting_room")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "晚间会议室" in text and "工作日会议室" not in text
    assert f"day={SATURDAY}" in text and "start=19:00" in text
    refused = client.get("/facilities?start=20:00&end=19:00")
    assert refused.status_code == 400 and "结束时刻必须晚于开始时刻" in refused.get_data(
        as_text=True
    )


def test_the_booking_form_shows_any_days_taken_slots(client, rooms):
    evening, _office, _parking = rooms
    book(evening, make_user("unit", unit=evening.unit), SATURDAY, "19:00", "20:00")
    shown = client.get(f"/bookings/new/{evening.id}?day={SATURDAY}").get_data(as_text=True)
    assert "19:00–20:00" in shown and f'value="{SATURDAY}"' in shown
    other = client.get(f"/bookings/new/{evening.id}?day={SATURDAY + timedelta(days=1)}")
    assert "当天暂无已确认的预约" in other.get_data(as_text=True)
    assert "booking-day.js" in shown  # refreshes the list when the day changes


def test_a_request_for_a_taken_slot_is_told_so_at_once(client, rooms):
    evening, _office, _parking = rooms
    book(evening, make_user("unit", unit=evening.unit), SATURDAY, "19:00", "20:00")
    with pytest.raises(Conflict, match="19:00-20:00 已约满"):
        book(evening, None, SATURDAY, "18:00", "20:00", accept=False)
    form = {
        "day": str(SATURDAY), "start": "19:30", "end": "20:30", "requester_name": "王芳",
        "requester_phone": "13800001111", "purpose": "排练",
    }  # fmt: skip
    answer = client.post(f"/bookings/new/{evening.id}", data=form)
    assert answer.status_code == 400 and "已约满" in answer.get_data(as_text=True)
    token = issue_api_token(make_user("community"))
    api = client.post(
        f"/api/v1/offers/{evening.id}/bookings",
        headers={"Authorization": f"Bearer {token}"},
        json={"starts_at": f"{SATURDAY} 19:00", "ends_at": f"{SATURDAY} 19:30",
              "requester_name": "王芳", "requester_phone": "13800001111", "purpose": "排练"},
    )  # fmt: skip
    assert api.status_code == 409 and "已约满" in api.get_json()["error"]


def test_a_resident_looks_up_a_request_by_number_and_phone(client, rooms):
    evening, _office, _parking = rooms
    booking = ask(evening, requester_name="张晓梅", requester_phone="0710-5551234")
    assert bookings.lookup_booking(booking.id, "0710 555 1234").id == booking.id
    with pytest.raises(NotFound) as wrong_phone:
        bookings.lookup_booking(booking.id, "0710-5550000")
    with pytest.raises(NotFound) as wrong_number:
        bookings.lookup_booking(booking.id + 1000, "0710-5551234")
    assert wrong_phone.value.message == wrong_number.value.message  # nothing leaks
    page = client.post("/bookings/lookup", data={"number": booking.id, "phone": "07105551234"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "待答复" in text and evening.title in text
    assert "张**" in text and "张晓梅" not in text and "5551234" not in text
    miss = client.post("/bookings/lookup", data={"number": booking.id, "phone": "13900000000"})
    assert miss.status_code == 404 and "未找到该预约" in miss.get_data(as_text=True)


def test_failed_lookups_are_limited_per_address(client, rooms):
    evening, _office, _parking = rooms
    booking = ask(evening)
    for _ in range(bookings.LOOKUPS_PER_HOUR):
        client.post("/bookings/lookup", data={"number": booking.id, "phone": "13900000000"})
    blocked = client.post("/bookings/lookup", data={"number": booking.id, "phone": "0710-5551234"})
    assert blocked.status_code == 429
