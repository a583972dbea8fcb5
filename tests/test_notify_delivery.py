"""Notices that leave the app, sent to real servers on loopback (SMTP and HTTP).

A claim reaches the community's staff by e-mail and its group robot; a resident's
hotline request texts the phone they gave; quiet hours hold a text until 08:00; a
failing gateway is retried with backoff and delivers once; the last failure is a dead
letter with its reason; two workers at once send each row once.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace import clock
from marketplace.models import AuditEntry, Delivery, Notification
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.services.exchange import bookings
from marketplace.services.exchange.claims import claim_need
from marketplace.services.hotline import hotline
from marketplace.services.hotline.hotline_queries import mark_overdue_tickets
from marketplace.services.notify import delivery_desk, outbox, preferences
from tests.concurrency import race
from tests.factories import make_community, make_need, make_offer, make_user
from tests.hotline_helpers import staffed_team
from tests.notify_servers import delivered, http_server, smtp_server

# 10:00 in the county (UTC+8): outside quiet hours
DAYTIME = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


@pytest.fixture
def at(monkeypatch):
    """Set the county clock: ``at(moment)`` (an aware UTC datetime)."""

    def _set(moment: datetime) -> datetime:
        monkeypatch.setattr(clock, "_system_now", lambda: moment)
        return moment

    _set(DAYTIME)
    return _set


@pytest.fixture
def smtp(app):
    with smtp_server() as server:
        app.config.update(
            SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_FROM="noreply@example.org",
            SMTP_STARTTLS=False, SMTP_USER="", SMTP_PASSWORD="",
        )  # fmt: skip
        yield server


@pytest.fixture
def gateway(app):
    """An SMS gateway (and robot endpoint) on loopback; ``gateway.script`` fails calls."""
    with http_server(ok_body='{"errcode": 0, "result": "OK"}') as server:
        app.config.update(
            SMS_GATEWAY_URL=f"{server.url}/sms?key=gateway-secret-key",
            SMS_GATEWAY_METHOD="POST",
            SMS_GATEWAY_BODY='{"mobile": "{phone}", "content": "{text}"}',
            SMS_GATEWAY_OK='"OK"',
        )
        yield server


def _sms(server) -> list[tuple[str, str]]:
    return [
        (r["body"]["mobile"], r["body"]["content"])
        for r in delivered(server)
        if r["path"] == "/sms"
    ]


def test_nothing_configured_keeps_notices_in_app(app, db, at):
    app.config.update(NOTIFY_WEBHOOKS=False)
    community = make_community()
    staff = make_user("community", community=community)
    preferences.update_settings(staff, {"email": "staff@example.org"})
    need = make_need(community=community)
    claim_need(make_user("unit"), need.id, 1)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert outbox.deliver_due() == 0


def test_a_claim_reaches_the_staff_by_email_and_the_group_robot(app, db, at, smtp):
    community = make_community(name="幸福社区")
    staff = make_user("community", community=community)
    quiet = make_user("community", community=community)  # no e-mail: in-app only
    preferences.update_settings(staff, {"email": "staff@example.org"})
    with http_server() as robot:
        admin = make_user("admin")
        preferences.set_group_webhook(
            admin,
            {"community_id": community.id, "url": f"{robot.url}/robot/send?key=robot-key-123",
             "flavor": "wecom", "style": "markdown"},
        )  # fmt: skip
        need = make_need(community=community, title="楼道清理")
        claim_need(make_user("unit"), need.id, 2)
        assert outbox.deliver_due() == 2

        [mail] = smtp.messages
        assert mail["to"] == ["staff@example.org"]
        assert "楼道清理" in mail["message"].get_content()
        assert "需求认领" in str(mail["message"]["Subject"])
        [post] = delivered(robot)
        assert post["path"] == "/robot/send" and post["query"]["key"] == ["robot-key-123"]
        assert post["body"]["msgtype"] == "markdown"
        assert "楼道清理" in post["body"]["markdown"]["content"]
    assert quiet.id not in {row.user_id for row in db.session.scalars(select(Delivery))}
    assert outbox.deliver_due() == 0  # sent once, never again
    # the robot's key is a secret: not in the audit trail
    details = " ".join(f"{e.detail} {e.after}" for e in db.session.scalars(select(AuditEntry)))
    assert "robot-key-123" not in details


def test_dingtalk_text_robots_get_their_own_format(app, db, at):
    township_staff = make_user("township")
    with http_server() as robot:
        preferences.set_group_webhook(
            township_staff,
            {"township_id": township_staff.township_id, "url": f"{robot.url}/ding",
             "flavor": "dingtalk", "style": "text"},
        )  # fmt: skip
        outbox.fan_out([township_staff], "escalation_new", "需求已上报到街道")
        db.session.commit()
        assert outbox.deliver_due() == 1
        [post] = delivered(robot)
    assert post["body"] == {"msgtype": "text", "text": {"content": "【需求上报】需求已上报到街道"}}


def _dispatched_online_request(phone: str, urgency: str = "normal"):
    crew = staffed_team(name="便民服务队")
    dispatcher = make_user("dispatcher")
    ticket = hotline.receive_ticket(
        None,
        {"service_code": "repair", "description": "水管漏了", "phone": phone,
         "first_name": "李阿姨", "community_id": crew.community.id, "urgency": urgency},
    )  # fmt: skip
    hotline.dispatch_ticket(dispatcher, ticket.id, crew.team.id)
    return crew, ticket


def test_an_anonymous_hotline_request_texts_the_caller_on_dispatch_and_service(
    app, db, at, gateway
):
    crew, ticket = _dispatched_online_request("139-1234-5678")
    assert outbox.deliver_due() == 1
    hotline.accept_ticket(crew.leader, ticket.id)
    hotline.serve_ticket(crew.leader, ticket.id, "换了水管", "1")
    assert outbox.deliver_due() == 1

    texts = _sms(gateway)
    assert [phone for phone, _ in texts] == ["13912345678", "13912345678"]
    dispatched, served = (text for _, text in texts)
    assert f"工单{ticket.id}" in dispatched and "便民服务队" in dispatched
    assert "已完成服务" in served
    for text in (dispatched, served):
        assert len(text) <= 70 and text.endswith("回复TD退订")
        assert "李阿姨" not in text  # nobody's name, not even the caller's own


def test_an_opted_out_phone_gets_no_more_texts(app, db, at, gateway):
    assert delivery_desk.opt_out("13912345678")
    _dispatched_online_request("13912345678")
    assert outbox.deliver_due() == 0
    assert _sms(gateway) == []


def test_quiet_hours_hold_a_text_until_eight_and_let_urgent_ones_through(app, db, at, gateway):
    at(datetime(2026, 12, 8, 15, 30, tzinfo=UTC))  # 23:30 in the county
    _dispatched_online_request("13900000001")
    _dispatched_online_request("13900000002", urgency="urgent")
    assert outbox.deliver_due() == 1
    assert [phone for phone, _ in _sms(gateway)] == ["13900000002"]

    at(datetime(2026, 12, 8, 23, 59, tzinfo=UTC))  # 07:59 next morning
    assert outbox.deliver_due() == 0
    at(datetime(2026, 12, 9, 0, 0, tzinfo=UTC))  # 08:00
    assert outbox.deliver_due() == 1
    assert [phone for phone, _ in _sms(gateway)] == ["13900000002", "13900000001"]


def test_a_gateway_failing_three_times_then_recovering_delivers_once(app, db, at, gateway):
    app.config.update(NOTIFY_BACKOFF_SECONDS=60, NOTIFY_MAX_ATTEMPTS=6)
    gateway.script = [500, 500, 500]
    assert outbox.text_phone("13900000003", "notify.test", "测试")
    db.session.commit()
    moment = DAYTIME
    waits = []
    for _ in range(3):
        assert outbox.deliver_due() == 0
        row = db.session.scalar(select(Delivery), execution_options={"populate_existing": True})
        assert (row.status, row.last_error) == ("queued", "HTTP 500")
        waits.append(clock.local(row.not_before) - clock.local(moment))
        assert outbox.deliver_due(now=moment + waits[-1] - timedelta(seconds=1)) == 0
        moment = at(moment + waits[-1])
    assert waits == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due(now=moment + timedelta(days=1)) == 0
    assert len(gateway.requests) == 4 and len(_sms(gateway)) == 1
    row = db.session.scalar(select(Delivery), execution_options={"populate_existing": True})
    assert (row.status, row.attempts) == ("sent", 4)


def test_a_failed_text_retried_into_quiet_hours_waits_until_eight(app, db, at, gateway):
    app.config.update(NOTIFY_BACKOFF_SECONDS=300, NOTIFY_MAX_ATTEMPTS=6)
    at(datetime(2026, 12, 8, 13, 58, tzinfo=UTC))  # 21:58 in the county: not yet quiet
    gateway.script = [500, 500]
    _dispatched_online_request("13900000011")
    _dispatched_online_request("13900000012", urgency="urgent")
    assert outbox.deliver_due() == 0  # both failed once; the retry would fall after 22:00
    rows = {
        row.address: clock.local(row.not_before)
        for row in db.session.scalars(
            select(Delivery).where(Delivery.channel == "sms"),
            execution_options={"populate_existing": True},
        )
    }
    assert (rows["13900000011"].date().day, rows["13900000011"].hour) == (9, 8)
    assert (rows["13900000012"].hour, rows["13900000012"].minute) == (22, 3)


def test_the_last_failure_is_a_dead_letter_with_its_reason_and_can_be_retried(app, db, at, gateway):
    app.config.update(NOTIFY_MAX_ATTEMPTS=2, NOTIFY_BACKOFF_SECONDS=1)
    gateway.script = [503, 503]
    outbox.text_phone("13900000004", "notify.test", "测试")
    db.session.commit()
    outbox.deliver_due()
    outbox.deliver_due(now=DAYTIME + timedelta(seconds=5))
    row = db.session.scalar(select(Delivery), execution_options={"populate_existing": True})
    assert (row.status, row.attempts, row.last_error) == ("dead", 2, "HTTP 503")
    assert outbox.deliver_due(now=DAYTIME + timedelta(days=1)) == 0
    assert delivery_desk.status_counts()["sms"]["dead"] == 1

    delivery_desk.retry(make_user("admin"), row.id)
    assert outbox.deliver_due() == 1
    assert len(_sms(gateway)) == 1


def test_a_gateway_secret_never_reaches_the_stored_reason(app, db, at):
    app.config.update(SMS_GATEWAY_URL="http://127.0.0.1:9/sms?token=very-secret-token")
    app.config.update(NOTIFY_MAX_ATTEMPTS=1)
    outbox.text_phone("13900000005", "notify.test", "测试")
    db.session.commit()
    outbox.deliver_due()  # nothing listens on port 9: refused at once
    row = db.session.scalar(select(Delivery))
    assert row.status == "dead" and row.last_error
    assert "very-secret-token" not in row.last_error


def test_two_workers_at_once_deliver_each_row_once(app, db, at, gateway):
    for index in range(12):
        outbox.text_phone(f"1390000{index:04d}", "notify.test", f"第{index}条")
    db.session.commit()

    def work(index, barrier):
        barrier.wait()
        sent = 0
        while True:
            batch = outbox.deliver_due(limit=3)
            if not batch:
                return sent
            sent += batch

    outcomes = race(app, db, 2, work)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(count for _, count in outcomes) == 12
    phones = [phone for phone, _ in _sms(gateway)]
    assert len(phones) == 12 and len(set(phones)) == 12
    assert delivery_desk.status_counts()["sms"]["sent"] == 12


def test_a_resident_without_an_account_is_texted_when_the_booking_is_answered(app, db, at, gateway):
    room = make_offer(kind="facility", title="社区活动室", open_weekdays=ALL_WEEKDAYS)
    day = clock.today() + timedelta(days=2)
    booking = bookings.request_booking(
        None,
        room.id,
        {"starts_at": f"{day} 10:00", "ends_at": f"{day} 11:00", "requester_name": "张晓梅",
         "requester_phone": "13900000077", "purpose": "楼栋议事会"},
    )  # fmt: skip
    assert outbox.deliver_due() == 0  # asking sends nothing to the resident
    bookings.accept_booking(make_user("unit", unit=room.unit), booking.id)
    assert outbox.deliver_due() == 1
    [(phone, text)] = _sms(gateway)
    assert phone == "13900000077" and "社区活动室" in text and "已接受" in text
    assert "张晓梅" not in text


def test_an_overdue_ticket_reaches_its_team_communitys_robot(app, db, at):
    crew, ticket = _dispatched_online_request("13900000088")
    with http_server() as robot:
        preferences.set_group_webhook(
            make_user("admin"), {"community_id": crew.community.id, "url": f"{robot.url}/r"}
        )
        mark_overdue_tickets(ticket.serve_due_at + timedelta(minutes=1))
        outbox.deliver_due()
        posts = delivered(robot)
    assert len(posts) == 1
    assert f"工单 #{ticket.id}" in posts[0]["body"]["text"]["content"]
    assert "未在时限内完成服务" in posts[0]["body"]["text"]["content"]
