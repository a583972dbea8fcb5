"""Bookings through the pages and the JSON API."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Booking
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.services.accounts import issue_api_token
from tests.factories import PASSWORD, make_offer, make_user

DAY = (clock.today() + timedelta(days=2)).isoformat()
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


@pytest.fixture
def room(app):
    return make_offer(
        kind="facility", facility_kind="meeting_room", capacity=40, open_weekdays=ALL_WEEKDAYS
    )


def form(**changes):
    values = {
        "day": DAY,
        "start": "14:00",
        "end": "15:30",
        "requester_name": "李建国",
        "requester_phone": "13800001111",
        "purpose": "老年协会例会",
    }
    values.update(changes)
    return values


def count_bookings() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_anonymous_resident_books_and_the_unit_accepts(app, client, room):
    page = client.get(f"/bookings/new/{room.id}")
    assert page.status_code == 200 and "提交预约申请" in page.get_data(as_text=True)
    sent = client.post(f"/bookings/new/{room.id}", data=form(purpose=HOSTILE))
    assert sent.status_code == 200 and "预约申请已提交" in sent.get_data(as_text=True)
    booking = db.session.scalar(select(Booking))
    assert booking.purpose == HOSTILE  # stored as text

    owner = make_user("unit", unit=room.unit)
    client.post("/login", data={"username": owner.username, "password": PASSWORD})
    listing = client.get("/unit/bookings/").get_data(as_text=True)
    assert "李建国" in listing and "<script>alert(2)" not in listing
    assert "&lt;script&gt;" in listing
    answered = client.post(f"/unit/bookings/{booking.id}/accept", data={"note": "请带身份证"})
    assert answered.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "accepted"


def test_bad_form_rerenders_with_message_and_keeps_input(app, client, room):
    response = client.post(
        f"/bookings/new/{room.id}", data=form(requester_phone="打电话给我", end="13:00")
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "结束时间必须晚于开始时间" in text
    assert 'value="李建国"' in text
    assert count_bookings() == 0


def test_another_unit_cannot_answer(app, client, room):
    booking_id = client.post(f"/bookings/new/{room.id}", data=form()) and db.session.scalar(
        select(Booking.id)
    )
    stranger = make_user("unit")
    client.post("/login", data={"username": stranger.username, "password": PASSWORD})
    assert client.post(f"/unit/bookings/{booking_id}/accept").status_code == 403
    assert "李建国" not in client.get("/unit/bookings/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking_id).status == "requested"


def test_unknown_or_service_offer_is_404(app, client):
    assert client.get("/bookings/new/999").status_code == 404
    assert client.get(f"/bookings/new/{make_offer(kind='service').id}").status_code == 404


def test_api_booking_flow(app, client, room):
    requester = make_user("community")
    owner = make_user("unit", unit=room.unit)
    stranger = make_user("unit")
    body = {
        "starts_at": f"{DAY} 09:00",
        "ends_at": f"{DAY} 10:00",
        "requester_phone": "0710-1234567",
        "purpose": "党员活动日",
        "status": "accepted",  # an extra field is ignored
    }
    assert client.post(f"/api/v1/offers/{room.id}/bookings", json=body).status_code == 401

    def bearer(user):
        return {"Authorization": f"Bearer {issue_api_token(user)}"}

    created = client.post(
        f"/api/v1/offers/{room.id}/bookings", json=body, headers=bearer(requester)
    )
    assert created.status_code == 201, created.json
    booking = created.json
    assert booking["status"] == "requested"
    assert booking["starts_at"] == f"{DAY}T09:00+08:00"

    bad = client.post(
        f"/api/v1/offers/{room.id}/bookings",
        json={**body, "ends_at": "x"},
        headers=bearer(requester),
    )
    assert bad.status_code == 400 and "时间" in bad.json["error"]

    url = f"/api/v1/bookings/{booking['id']}/accept"
    assert client.post(url, headers=bearer(stranger)).status_code == 403
    assert client.post(url, headers=bearer(owner)).json["status"] == "accepted"
    assert client.post(url, headers=bearer(owner)).status_code == 409

    day = client.get(f"/api/v1/offers/{room.id}/bookings?date={DAY}").json
    assert [item["id"] for item in day["results"]] == [booking["id"]]
    assert "requester_phone" not in day["results"][0]
    assert client.get(f"/api/v1/offers/{room.id}/bookings?date=明天").status_code == 400


def test_the_facility_page_offers_booking_and_a_service_page_does_not(app, client, room):
    assert f"/bookings/new/{room.id}" in client.get(f"/offers/{room.id}").get_data(as_text=True)
    service = make_offer(kind="service")
    assert "/bookings/new/" not in client.get(f"/offers/{service.id}").get_data(as_text=True)


def test_anonymous_requests_are_throttled_per_address(app, client, room):
    from marketplace.services.exchange.bookings import ANONYMOUS_PER_HOUR

    for _ in range(ANONYMOUS_PER_HOUR):
        assert client.post(f"/bookings/new/{room.id}", data=form()).status_code == 200
    refused = client.post(f"/bookings/new/{room.id}", data=form())
    assert refused.status_code == 429 and "过于频繁" in refused.get_data(as_text=True)
    assert count_bookings() == ANONYMOUS_PER_HOUR
    other = client.post(
        f"/bookings/new/{room.id}", data=form(), environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 200
