"""Who gets what: the 「通知设置」 page, its API, and the private calendar feed."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import AuditEntry, Booking, Delivery, JointMeeting, NotificationSetting
from marketplace.services.access import can_manage_group_webhook
from marketplace.services.api_tokens import issue_api_token
from marketplace.services.notify import outbox, preferences
from tests.factories import make_community, make_offer, make_user


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


def test_the_api_shows_the_defaults_and_takes_the_same_keys_back(app, client):
    user = make_user("community")
    headers = bearer(user)
    shown = client.get("/api/v1/me/notification-settings", headers=headers).get_json()
    assert shown == {
        "email": "",
        "channels": {"claims": ["email"], "bookings": ["email"], "escalations": ["email"]},
        "digest": False,
        "calendar_url": None,
    }
    wanted = {**shown, "email": "me@example.org", "channels": {"hotline": ["sms", "email"]}}
    answer = client.put("/api/v1/me/notification-settings", json=wanted, headers=headers)
    assert answer.status_code == 200
    assert answer.get_json()["channels"] == {"hotline": ["email", "sms"]}
    assert answer.get_json()["email"] == "me@example.org"


def test_the_api_refuses_bad_settings_with_the_field(app, client):
    headers = bearer(make_user("unit"))
    for body, field in (
        ({"email": "not-an-address"}, "email"),
        ({"channels": {"claims": ["fax"]}}, "channels"),
        ({"channels": {"nonsense": ["email"]}}, "channels"),
        ({"channels": ["email"]}, "channels"),
        ({"digest": "yes"}, "digest"),
    ):
        answer = client.put("/api/v1/me/notification-settings", json=body, headers=headers)
        assert answer.status_code == 400, body
        assert answer.get_json()["field"] == field
    assert client.get("/api/v1/me/notification-settings").status_code == 401


def test_email_by_default_for_claims_bookings_and_escalations_only(app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_FROM="noreply@example.org")
    user = make_user("community")
    preferences.update_settings(user, {"email": "staff@example.org"})
    for kind in ("claim_proposed", "booking.requested", "escalation_new", "wish.claimed"):
        outbox.fan_out([user], kind, "通知内容")
    db.session.commit()
    assert sorted(row.kind for row in db.session.scalars(select(Delivery))) == [
        "booking.requested",
        "claim_proposed",
        "escalation_new",
    ]


def test_a_digest_reader_gets_one_mail_the_next_morning(app, monkeypatch):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_FROM="noreply@example.org")
    from marketplace.services.notify import reminders

    user = make_user("community")
    preferences.update_settings(user, {"email": "staff@example.org", "digest": True})
    evening = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # 20:00 in the county
    monkeypatch.setattr(clock, "_system_now", lambda: evening)
    outbox.fan_out([user], "claim_proposed", "第一条")
    outbox.fan_out([user], "claim_accepted", "第二条")
    db.session.commit()
    assert outbox.deliver_due() == 0  # held for the digest
    assert reminders.send_digests(clock.now()) == 0  # today's notices wait for tomorrow

    morning = evening + timedelta(hours=12)
    monkeypatch.setattr(clock, "_system_now", lambda: morning)
    assert reminders.send_digests(clock.now()) == 1
    assert reminders.send_digests(clock.now()) == 0  # idempotent
    [digest] = db.session.scalars(select(Delivery).where(Delivery.kind == "digest"))
    assert "（2 条）" in digest.subject and "第一条" in digest.body and "第二条" in digest.body
    statuses = db.session.scalars(select(Delivery.status).where(Delivery.kind != "digest"))
    assert set(statuses) == {"merged"}


def test_the_settings_page_saves_and_shows_errors_in_place(app, client, login_as):
    user = login_as("member")
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "通知设置" in page.get_data(as_text=True)
    bad = client.post(
        "/notifications/settings/", data={"email": "oops", "claims__email": "y"}
    ).get_data(as_text=True)
    assert "oops" in bad and ("电子邮箱" in bad or "邮箱" in bad)
    saved = client.post(
        "/notifications/settings/",
        data={"email": "member@example.org", "wishes__sms": "y", "digest": "y"},
    )
    assert saved.status_code == 302
    setting = db.session.get(NotificationSetting, user.id)
    assert (setting.email, setting.channels, setting.digest) == (
        "member@example.org",
        {"wishes": ["sms"]},
        True,
    )


def test_community_staff_set_their_own_group_robot(app, client, login_as):
    user = login_as("community")
    answer = client.post(
        "/notifications/settings/webhook",
        data={"url": "https://qyapi.example.org/cgi-bin/webhook/send?key=abc-secret",
              "flavor": "wecom", "style": "text"},
    )  # fmt: skip
    assert answer.status_code == 302
    hook = preferences.group_webhook(community_id=user.community_id)
    assert hook.url.endswith("key=abc-secret")
    page = client.get("/notifications/settings/").get_data(as_text=True)
    assert "abc-secret" not in page and "qyapi.example.org/***" in page
    audited = " ".join(f"{e.detail}{e.after}" for e in db.session.scalars(select(AuditEntry)))
    assert "abc-secret" not in audited
    other = make_community()
    assert not can_manage_group_webhook(user, community_id=other.id)


def test_members_have_no_group_robot_to_set(app, client, login_as):
    login_as("member")
    answer = client.post("/notifications/settings/webhook", data={"url": "https://x.org/a"})
    assert answer.status_code == 403


def _meeting_and_booking(user):
    today = clock.today()
    meeting = JointMeeting(
        level="community",
        county_id=user.community.township.county_id,
        community_id=user.community_id,
        held_on=today + timedelta(days=3),
        theme="老旧小区加装电梯",
    )
    offer = make_offer(kind="facility", title="三楼会议室")
    starts = clock.at(today + timedelta(days=1), datetime.min.time().replace(hour=9))
    booking = Booking(
        offer=offer,
        requester_user_id=user.id,
        requester_name=user.name,
        starts_at=starts.astimezone(UTC),
        ends_at=(starts + timedelta(hours=2)).astimezone(UTC),
        status="accepted",
    )
    db.session.add_all([meeting, booking])
    db.session.commit()
    return meeting, booking


def test_the_calendar_feed_parses_and_holds_the_next_meeting_and_booking(app, client, login_as):
    user = login_as("community")
    meeting, booking = _meeting_and_booking(user)
    client.post("/notifications/settings/calendar")
    shown = client.get("/notifications/settings/").get_data(as_text=True)
    token = preferences.settings_view(user)["calendar_token"]
    assert f"/calendar/{token}.ics" in shown

    client.post("/logout")
    answer = client.get(f"/calendar/{token}.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    calendar = Calendar.from_ical(answer.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    held = events[f"meeting-{meeting.id}@marketplace"]
    assert held.decoded("DTSTART") == meeting.held_on
    assert "老旧小区加装电梯" in str(held["SUMMARY"])
    booked = events[f"booking-{booking.id}@marketplace"]
    start = booked.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=8)
    assert (start.hour, start.minute) == (9, 0)
    assert "三楼会议室" in str(booked["SUMMARY"])


def test_a_revoked_or_replaced_feed_token_answers_404(app, client, login_as):
    user = login_as("unit")
    old = preferences.issue_calendar_token(user)
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    new = preferences.issue_calendar_token(user)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    client.post("/notifications/settings/calendar/revoke")
    assert client.get(f"/calendar/{new}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
