"""The outside channels: SMTP e-mail, group-robot webhooks, an HTTP SMS gateway.

Each is off until configured (``channel_states``). A send either returns or raises
``ChannelError`` with a reason that is safe to store and show: the configured secrets
(SMTP password, gateway URL and credentials, webhook keys) are replaced by ``***``.
"""

import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

from marketplace.extensions import db
from marketplace.models import GroupWebhook

SMS_MAX_LENGTH = 70
SMS_OPT_OUT_HINT = "回复TD退订"


class ChannelError(Exception):
    """A delivery failed; ``str(error)`` is the reason, secrets removed."""


@dataclass(frozen=True)
class ChannelState:
    channel: str
    configured: bool
    summary: str  # what is set, with no secret in it


def _config(key: str):
    return current_app.config.get(key)


def email_configured() -> bool:
    return bool(_config("SMTP_HOST") and _config("SMTP_FROM"))


def sms_configured() -> bool:
    return bool(_config("SMS_GATEWAY_URL"))


def webhooks_enabled() -> bool:
    return bool(_config("NOTIFY_WEBHOOKS"))


def enabled_channels() -> set[str]:
    """Return the channels that are configured now (none: the app stays in-app only)."""
    channels = set()
    if email_configured():
        channels.add("email")
    if sms_configured():
        channels.add("sms")
    if webhooks_enabled():
        channels.add("webhook")
    return channels


def _host_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def channel_states() -> list[ChannelState]:
    """Describe each channel's state for the admin page (no secret in the text)."""
    email = (
        f"{_config('SMTP_HOST')}:{_config('SMTP_PORT')}，发件人 {_config('SMTP_FROM')}"
        f"{'，STARTTLS' if _config('SMTP_STARTTLS') else ''}"
        f"{'，需登录' if _config('SMTP_USER') else ''}"
        if email_configured()
        else "未配置（设置 SMTP_HOST 与 SMTP_FROM 后启用）"
    )
    sms = (
        f"{_config('SMS_GATEWAY_METHOD')} {_host_of(_config('SMS_GATEWAY_URL'))}/***"
        if sms_configured()
        else "未配置（设置 SMS_GATEWAY_URL 后启用）"
    )
    groups = db.session.query(GroupWebhook).count() if webhooks_enabled() else 0
    webhook = f"已设置 {groups} 个群机器人" if webhooks_enabled() else "已关闭（NOTIFY_WEBHOOKS=0）"
    return [
        ChannelState("email", email_configured(), email),
        ChannelState("webhook", webhooks_enabled() and groups > 0, webhook),
        ChannelState("sms", sms_configured(), sms),
    ]


def _secrets() -> list[str]:
    values = [_config("SMTP_PASSWORD"), _config("SMS_GATEWAY_URL")]
    url = _config("SMS_GATEWAY_URL") or ""
    values += urllib.parse.urlsplit(url).query.split("&")
    values += [row.url for row in db.session.query(GroupWebhook)]
    return sorted({value for value in values if value and len(value) >= 4}, key=len, reverse=True)


def redact(text: str) -> str:
    """Return ``text`` with every configured secret replaced by ``***``."""
    for secret in _secrets():
        text = text.replace(secret, "***")
    return text[:500]


def _failure(error: BaseException) -> ChannelError:
    return ChannelError(redact(f"{type(error).__name__}: {error}"))


def send_email(address: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through the configured SMTP server."""
    message = EmailMessage()
    message["From"] = _config("SMTP_FROM")
    message["To"] = address
    message["Subject"] = subject
    message.set_content(body)
    timeout = float(_config("NOTIFY_TIMEOUT_SECONDS"))
    try:
        with smtplib.SMTP(_config("SMTP_HOST"), int(_config("SMTP_PORT")), timeout=timeout) as smtp:
            if _config("SMTP_STARTTLS"):
                smtp.starttls()
            if _config("SMTP_USER"):
                smtp.login(_config("SMTP_USER"), _config("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise _failure(error) from None


def _http(request: urllib.request.Request) -> str:
    timeout = float(_config("NOTIFY_TIMEOUT_SECONDS"))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        raise ChannelError(f"HTTP {error.code}") from None
    except (OSError, ValueError) as error:
        raise _failure(error) from None


def webhook_payload(hook: GroupWebhook, subject: str, body: str) -> dict:
    """Return the robot message in the group's flavor (企业微信 or 钉钉) and style."""
    if hook.style == "markdown":
        text = f"**{subject}**\n\n{body}" if subject else body
        if hook.flavor == "dingtalk":
            return {"msgtype": "markdown", "markdown": {"title": subject or "通知", "text": text}}
        return {"msgtype": "markdown", "markdown": {"content": text}}
    text = f"【{subject}】{body}" if subject else body
    return {"msgtype": "text", "text": {"content": text}}


def post_webhook(hook: GroupWebhook, subject: str, body: str) -> None:
    """Post one message to a group robot; both robots answer ``errcode`` 0 on success."""
    data = json.dumps(webhook_payload(hook, subject, body), ensure_ascii=False).encode()
    request = urllib.request.Request(
        hook.url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    answer = _http(request)
    try:
        code = json.loads(answer).get("errcode", 0)
    except (ValueError, AttributeError):
        code = 0  # a robot proxy answering plain text: the HTTP status was 2xx
    if code not in (0, "0"):
        raise ChannelError(redact(f"群机器人拒绝：{answer[:200]}"))


def sms_text(text: str) -> str:
    """Return an SMS: the signature, the text cut to fit, the opt-out hint; ≤ 70 chars."""
    signature = _config("SMS_SIGNATURE") or ""
    room = SMS_MAX_LENGTH - len(signature) - len(SMS_OPT_OUT_HINT)
    body = text if len(text) <= room else text[: room - 1] + "…"
    return f"{signature}{body}{SMS_OPT_OUT_HINT}"


def _fill(template: str, phone: str, text: str, *, as_json: bool) -> str:
    if as_json:  # values escaped as JSON string contents
        phone, text = (json.dumps(value, ensure_ascii=False)[1:-1] for value in (phone, text))
    else:
        phone, text = (urllib.parse.quote(value) for value in (phone, text))
    return template.replace("{phone}", phone).replace("{text}", text)


def send_sms(phone: str, text: str) -> None:
    """Send one text through the gateway: its URL, method, body template and success mark."""
    url = _config("SMS_GATEWAY_URL")
    template = _config("SMS_GATEWAY_BODY") or ""
    as_json = template.lstrip().startswith("{")
    if _config("SMS_GATEWAY_METHOD") == "GET":
        query = _fill(template, phone, text, as_json=False)
        separator = "&" if "?" in url else "?"
        request = urllib.request.Request(f"{url}{separator}{query}" if query else url)
    else:
        kind = "application/json" if as_json else "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            url,
            data=_fill(template, phone, text, as_json=as_json).encode(),
            headers={"Content-Type": f"{kind}; charset=utf-8"},
        )
    answer = _http(request)
    expected = _config("SMS_GATEWAY_OK") or ""
    if expected and expected not in answer:
        raise ChannelError(redact(f"短信网关未确认发送：{answer[:200]}"))
