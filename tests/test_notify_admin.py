"""「消息通道」: channel states, a test message per channel, dead letters and retry; the CLI."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Delivery
from marketplace.services.notify import outbox
from tests.notify_servers import smtp_server


def _configure_smtp(app, port: int) -> None:
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_FROM="noreply@example.org",
        SMTP_STARTTLS=False,
        SMTP_PASSWORD="smtp-password-never-shown",
    )


def test_the_page_shows_each_channel_off_until_configured(app, client, login_as):
    login_as("admin")
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "消息通道" in page and page.count("未启用") == 3
    assert "未配置（设置 SMTP_HOST 与 SMTP_FROM 后启用）" in page


def test_a_test_mail_is_queued_sent_and_counted(app, client, login_as):
    login_as("admin")
    with smtp_server() as server:
        _configure_smtp(app, server.port)
        answer = client.post(
            "/admin/channels/test", data={"channel": "email", "address": "ops@example.org"}
        )
        assert answer.status_code == 302
        assert outbox.deliver_due() == 1
        assert server.messages[0]["to"] == ["ops@example.org"]
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert "已发送 1" in page and "smtp-password-never-shown" not in page


def test_a_test_message_needs_an_address_and_a_configured_channel(app, client, login_as):
    login_as("admin")
    refused = client.post("/admin/channels/test", data={"channel": "sms", "address": "1390000"})
    assert refused.status_code == 400 and "尚未配置" in refused.get_data(as_text=True)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_FROM="noreply@example.org")
    refused = client.post("/admin/channels/test", data={"channel": "email", "address": ""})
    assert refused.status_code == 400 and "请填写接收测试邮件" in refused.get_data(as_text=True)


def test_a_dead_letter_shows_its_reason_and_is_retried_from_the_page(app, client, login_as):
    login_as("admin")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_FROM="noreply@example.org")
    app.config.update(NOTIFY_MAX_ATTEMPTS=1, SMTP_STARTTLS=False)
    client.post("/admin/channels/test", data={"channel": "email", "address": "ops@example.org"})
    outbox.deliver_due()  # nothing listens on port 9
    row = db.session.scalar(select(Delivery))
    assert row.status == "dead" and "ConnectionRefusedError" in row.last_error
    page = client.get("/admin/channels/?status=dead").get_data(as_text=True)
    assert "ConnectionRefusedError" in page and f"/admin/channels/{row.id}/retry" in page
    assert client.post(f"/admin/channels/{row.id}/retry").status_code == 302
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("queued", 0)
    assert client.post(f"/admin/channels/{row.id}/retry").status_code == 409


def test_flask_notify_status_prints_each_channel(app):
    app.config.update(SMS_GATEWAY_URL="http://127.0.0.1:9/sms")
    outbox.text_phone("13900000001", "notify.test", "测试")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notify", "status"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split("\t")[:5] == ["通道", "状态", "排队", "已发送", "失败"]
    assert "短信\t已启用\t1\t0\t0\t0" in lines


def test_flask_notify_opt_out_refuses_a_bad_number_in_one_line(app):
    result = app.test_cli_runner().invoke(args=["notify", "opt-out", "12"])
    assert result.exit_code == 2 and "手机号码格式不正确" in result.output
    result = app.test_cli_runner().invoke(args=["notify", "opt-out", "139 0000 0001"])
    assert result.exit_code == 0 and "已加入" in result.output
