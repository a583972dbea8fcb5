"""The county clock: one "today" for services, forms and the API.

At 01:00 China time the server's UTC clock still says 17:00 of the day before; every
deadline and expiry must use the county's date.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace import clock
from marketplace.config import ConfigError, build_config
from marketplace.errors import Conflict, InvalidInput
from marketplace.models import Need
from marketplace.services.exchange import bookings, claims, needs
from tests.factories import make_need, make_offer, make_user

# 2026-03-01 17:00 UTC is 2026-03-02 01:00 in Asia/Shanghai.
UTC_EVENING = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
CHINA_DAY = date(2026, 3, 2)
SERVER_DAY = date(2026, 3, 1)


@pytest.fixture
def one_am_in_china(monkeypatch):
    monkeypatch.setattr(clock, "_system_now", lambda: UTC_EVENING)
    return UTC_EVENING


def test_today_is_the_county_date_not_the_servers(one_am_in_china):
    assert clock.today() == CHINA_DAY
    assert clock.now().hour == 1 and clock.utcnow() == UTC_EVENING
    assert clock.day_bounds(CHINA_DAY)[0] == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)


def test_the_zone_is_a_setting(app, one_am_in_china):
    app.config["COUNTY_TIMEZONE"] = "UTC"
    try:
        assert clock.today() == SERVER_DAY
    finally:
        app.config["COUNTY_TIMEZONE"] = clock.DEFAULT_TIMEZONE


def test_an_unknown_zone_is_refused_at_start_up():
    with pytest.raises(ConfigError, match="时区"):
        build_config({"SECRET_KEY": "x" * 40, "COUNTY_TIMEZONE": "Mars/Olympus"})


def test_a_need_ending_on_the_server_day_is_past_its_deadline(db, one_am_in_china):
    need = make_need(starts_on=SERVER_DAY - timedelta(days=5), ends_on=SERVER_DAY)
    with pytest.raises(Conflict, match="截止日期"):
        claims.claim_need(make_user("unit"), need.id, 1)


def test_a_need_ending_on_the_county_day_can_still_be_claimed(db, one_am_in_china):
    need = make_need(starts_on=SERVER_DAY, ends_on=CHINA_DAY)
    assert claims.claim_need(make_user("unit"), need.id, 1).quantity == 1


def test_expiry_uses_the_county_date(db, one_am_in_china):
    overdue = make_need(starts_on=SERVER_DAY - timedelta(days=5), ends_on=SERVER_DAY)
    current = make_need(starts_on=SERVER_DAY, ends_on=CHINA_DAY)
    assert needs.expire_overdue_needs() == 1
    db.session.expire_all()
    assert db.session.get(Need, overdue.id).status == "expired"
    assert db.session.get(Need, current.id).status == "published"


def test_a_new_need_cannot_end_before_the_county_day(db, one_am_in_china):
    staff = make_user("community")
    data = {"type_id": make_need().type_id, "title": "测试", "quantity": 1}
    with pytest.raises(InvalidInput):
        needs.create_need(staff, {**data, "ends_on": SERVER_DAY.isoformat()})
    assert needs.create_need(staff, {**data, "ends_on": CHINA_DAY.isoformat()}).ends_on == (
        CHINA_DAY
    )


def test_booking_defaults_and_the_api_use_the_county_day(app, db, client, one_am_in_china):
    room = make_offer(kind="facility", open_weekdays=127)
    assert bookings.next_open_day(room) == CHINA_DAY
    answer = client.get(f"/api/v1/offers/{room.id}/bookings")
    assert answer.get_json()["date"] == CHINA_DAY.isoformat()
    page = client.get(f"/bookings/new/{room.id}").get_data(as_text=True)
    assert CHINA_DAY.isoformat() in page


def test_created_at_comes_from_the_clock(db, one_am_in_china):
    need = make_need()
    db.session.expire_all()
    assert clock.local(db.session.get(Need, need.id).created_at).date() == CHINA_DAY
