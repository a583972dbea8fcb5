"""Points follow the work: per confirmed hour, one checklist bonus whatever completes the
list, no service before the report or in the future, check-ins credited by real time."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace import clock
from marketplace.errors import Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.models import AuditEntry, PointEntry, ServiceRecord
from marketplace.models._common import utcnow
from marketplace.services.members import activities, points, service_records
from marketplace.services.wishes import wishes
from tests.factories import PASSWORD, make_member, make_user
from tests.test_api_marketplace import Api


def _record(member, kind="service", hours=1.0, status="submitted", day=None):
    record = ServiceRecord(
        member_id=member.id,
        community_id=member.community_id,
        kind=kind,
        status=status,
        served_on=day or clock.today(),
        hours=hours,
        summary=f"{kind} 记录",
    )
    db.session.add(record)
    db.session.commit()
    return record


def _entries(member, kind=None):
    query = select(PointEntry).where(PointEntry.member_id == member.id).order_by(PointEntry.id)
    if kind:
        query = query.where(PointEntry.source_kind == kind)
    return list(db.session.scalars(query))


def test_three_hours_earn_three_times_one_hour(app):
    member = make_member()
    staff = make_user("community", community=member.community)
    one, three = _record(member, hours=1), _record(member, hours=3)
    service_records.confirm_service(staff, one.id)
    service_records.confirm_service(staff, three.id)
    amounts = [entry.amount for entry in _entries(member, "service")]
    assert amounts == [10, 30]


def test_the_hourly_rate_is_a_setting(app):
    app.config["POINTS_PER_HOUR"] = 3
    member = make_member()
    staff = make_user("community", community=member.community)
    service_records.confirm_service(staff, _record(member, hours=2.5).id)
    assert [entry.amount for entry in _entries(member)] == [8]  # 7.5 rounded half up


def _four_items_done(member, year):
    day = date(year, 1, 1) if clock.today().month > 1 else clock.today()
    for kind in ("org_life", "symposium", "survey"):
        _record(member, kind=kind, status="confirmed", day=day)
    _record(member, kind="service", hours=4, status="confirmed", day=day)


def test_a_wish_that_completes_the_checklist_pays_the_bonus_once(app):
    staff = make_user("community")
    member = make_member(community=staff.community)
    year = clock.today().year
    _four_items_done(member, year)
    wish = wishes.post_wish(
        staff,
        {
            "title": "一台电饭煲",
            "description": "独居老人家里的电饭煲坏了",
            "value_yuan": 150,
            "resident_name": "李秀英",
            "deadline": (clock.today() + timedelta(days=20)).isoformat(),
        },
    )
    wishes.claim_wish(member.user, wish.id)
    wishes.fulfil_wish(member.user, wish.id, "已送到老人家中")
    wishes.confirm_wish(staff, wish.id)
    assert [(e.source_kind, e.source_id) for e in _entries(member, "checklist")] == [
        ("checklist", year)
    ]
    service_records.confirm_service(staff, _record(member, hours=1).id)  # a later record
    assert len(_entries(member, "checklist")) == 1


def test_a_service_before_the_report_or_in_the_future_is_refused(app):
    member = make_member()
    member.reported_at = utcnow() - timedelta(days=3)
    db.session.commit()
    reported_on = clock.local(member.reported_at).date()
    for day, message in (
        (reported_on - timedelta(days=1), "不能早于社区确认报到的日期"),
        (clock.today() + timedelta(days=1), "不能晚于今天"),
    ):
        data = {"date": day.isoformat(), "hours": "2", "summary": "助老"}
        with pytest.raises(InvalidInput) as refused:
            service_records.log_service(member.user, data)
        assert message in refused.value.errors["date"]
    record = service_records.log_service(
        member.user, {"date": reported_on.isoformat(), "hours": "2", "summary": "助老"}
    )
    assert record.served_on == reported_on


def test_the_api_and_the_form_refuse_a_future_service_in_chinese(client):
    member = make_member()
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    answer = Api(client, member.user).post(
        "/service-records", {"date": tomorrow, "hours": 2, "summary": "助老"}
    )
    assert answer.status_code == 400 and answer.json["field"] == "date"
    assert "不能晚于今天" in answer.json["error"]
    client.post("/login", data={"username": member.user.username, "password": PASSWORD})
    page = client.post(
        "/member/services/new", data={"date": tomorrow, "hours": "2", "summary": "助老"}
    )
    assert page.status_code == 400 and "不能晚于今天" in page.get_data(as_text=True)


def _running_activity(staff, start, end):
    activity = activities.create_activity(
        staff,
        {"title": "环境整治", "date": "2026-01-05", "starts": "00:00", "ends": "23:30"},
    )
    activity.starts_at, activity.ends_at = start, end
    db.session.commit()
    return activity


def test_a_second_scan_checks_out_with_the_real_time(app):
    member = make_member()
    staff = make_user("community", community=member.community)
    start = utcnow() - timedelta(hours=5)
    activity = _running_activity(staff, start, start + timedelta(hours=23, minutes=30))
    token = activity.checkin_token
    record = activities.check_in(member.user, token, now=start + timedelta(hours=1))
    assert record.hours == 0.5 and record.checked_out_at is None
    out = activities.check_in(member.user, token, now=start + timedelta(hours=3, minutes=20))
    assert out.id == record.id and out.hours == 2.5  # 2 h 20 min, in half hours
    with pytest.raises(Conflict, match="已签到并签退"):
        activities.check_in(member.user, token, now=start + timedelta(hours=4))
    service_records.confirm_service(staff, record.id)
    assert [entry.amount for entry in _entries(member, "activity")] == [25]
    codes = set(db.session.scalars(select(AuditEntry.action)))
    assert {"activity.checked_in", "activity.checked_out", "service.confirmed"} <= codes


def test_staff_enter_the_hours_of_a_check_in_never_checked_out(app):
    member = make_member()
    staff = make_user("community", community=member.community)
    start = utcnow() - timedelta(hours=1)
    activity = _running_activity(staff, start, start + timedelta(hours=23, minutes=30))
    record = activities.check_in(member.user, activity.checkin_token)
    with pytest.raises(InvalidInput) as refused:
        service_records.confirm_service(staff, record.id, {})
    assert "未签退" in refused.value.errors["hours"]
    service_records.confirm_service(staff, record.id, {"hours": "3"})
    assert record.hours == 3.0 and record.status == "confirmed"
    assert [entry.amount for entry in _entries(member, "activity")] == [30]


def test_the_points_ledger_shows_the_service_date(client):
    member = make_member()
    staff = make_user("community", community=member.community)
    served = clock.today() - timedelta(days=2) if clock.today().day > 2 else clock.today()
    record = _record(member, hours=2, day=served)
    service_records.confirm_service(staff, record.id)
    client.post("/login", data={"username": member.user.username, "password": PASSWORD})
    html = client.get("/member/points").get_data(as_text=True)
    assert "服务日期" in html and served.isoformat() in html
    assert points.balance_mismatches() == []
