"""The delivery outbox: queue messages in the notice's transaction, deliver them later.

``fan_out`` (called by ``notifications.notify``) and ``text_phone`` (a resident without
an account) only add rows to the caller's transaction, so a notice and its deliveries
commit or roll back together, and with no channel configured nothing is added at all.
``deliver_due`` claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
claiming transaction holds the write lock from its BEGIN), marks them ``sending`` with a
token of its own, commits, sends, and records each outcome only while it still holds
that token: several workers at once send each row once. A failure waits
``NOTIFY_BACKOFF_SECONDS`` × 2^(attempts-1) before the next try; after
``NOTIFY_MAX_ATTEMPTS`` the row is dead, with its reason, until an admin retries it.
"""

import secrets
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Delivery, GroupWebhook, SmsOptOut, User
from marketplace.models._common import utcnow
from marketplace.services.access import has_role
from marketplace.services.notify import channels
from marketplace.services.notify.preferences import (
    NOTICE_GROUPS,
    chosen_channels,
    goes_to_group_robot,
    group_of,
    settings_by_user,
)

SITE_NAME = "社区共建资源对接平台"
QUIET_START, QUIET_END = time(22), time(8)
LEASE = timedelta(minutes=5)  # a row "sending" longer than this lost its worker


def phone_key(phone: str) -> str:
    """Return the digits of a phone number (how the opt-out list matches it)."""
    return "".join(ch for ch in phone if ch.isdigit())[-15:]


def quiet_release(moment: datetime) -> datetime:
    """Return when a non-urgent SMS queued at ``moment`` may go (08:00 after quiet hours)."""
    local = clock.local(moment)
    if QUIET_END <= local.time() < QUIET_START:
        return moment
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_START else local.date()
    return clock.at(day, QUIET_END).astimezone(moment.tzinfo or clock.zone())


def _opted_out(phone: str) -> bool:
    return db.session.get(SmsOptOut, phone_key(phone)) is not None


def sms_row(phone: str, kind: str, text: str, user_id: int | None, urgent: bool) -> Delivery:
    now = utcnow()
    return Delivery(
        channel="sms",
        address=phone_key(phone),
        user_id=user_id,
        kind=kind,
        body=channels.sms_text(text),
        not_before=now if urgent else quiet_release(now),
        urgent=urgent,
    )


def _group_keys(users: list[User]) -> list[str]:
    keys = []
    for user in users:
        if has_role(user, "community") and user.community_id:
            keys.append(f"community:{user.community_id}")
        elif has_role(user, "township") and user.township_id:
            keys.append(f"township:{user.township_id}")
    return list(dict.fromkeys(keys))


def configured_groups(keys: list[str]) -> list[str]:
    communities = [int(key.split(":")[1]) for key in keys if key.startswith("community:")]
    townships = [int(key.split(":")[1]) for key in keys if key.startswith("township:")]
    hooks = db.session.scalars(
        select(GroupWebhook).where(
            GroupWebhook.community_id.in_(communities) | GroupWebhook.township_id.in_(townships)
        )
    )
    configured = {hook.group_key for hook in hooks}
    return [key for key in keys if key in configured]


def fan_out(users: Iterable[User], kind: str, message: str, *, urgent: bool = False) -> int:
    """Queue the outside deliveries of one notice (in the caller's transaction)."""
    enabled = channels.enabled_channels()
    users = [user for user in users if user is not None]
    if not enabled or not users:
        return 0
    group = group_of(kind)
    subject = f"{SITE_NAME} · {NOTICE_GROUPS[group]}"
    personal = enabled & {"email", "sms"}
    settings = settings_by_user([user.id for user in users]) if personal else {}
    rows = []
    for user in users if personal else ():
        setting = settings.get(user.id)
        wanted = set(chosen_channels(setting).get(group, ())) & personal
        if "email" in wanted and setting is not None and setting.email:
            status = "held" if setting.digest else "queued"
            rows.append(
                Delivery(
                    channel="email",
                    address=setting.email,
                    user_id=user.id,
                    kind=kind,
                    subject=subject,
                    body=message,
                    status=status,
                )
            )
        if "sms" in wanted and user.phone and not _opted_out(user.phone):
            # a text says only that there is a notice: no one else's name or phone
            text = f"您有一条{NOTICE_GROUPS[group]}通知，请登录平台查看。"
            rows.append(sms_row(user.phone, kind, text, user.id, urgent))
    if "webhook" in enabled and goes_to_group_robot(kind):
        for key in configured_groups(_group_keys(users)):
            rows.append(
                Delivery(
                    channel="webhook",
                    address=key,
                    kind=kind,
                    subject=NOTICE_GROUPS[group],
                    body=message,
                )
            )
    db.session.add_all(rows)
    return len(rows)


def text_phone(phone: str, kind: str, text: str, *, urgent: bool = False) -> bool:
    """Queue an SMS to a resident's own phone (no account); False when off or opted out."""
    if not phone or "sms" not in channels.enabled_channels() or _opted_out(phone):
        return False
    db.session.add(sms_row(phone, kind, text, None, urgent))
    return True


def _claim(limit: int, now: datetime) -> list[Delivery]:
    """Take up to ``limit`` due rows for this worker alone; commit the claim."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.status == "sending", Delivery.claimed_at < now - LEASE)
        .values(status="queued", claim_token="")
        .execution_options(synchronize_session=False)
    )
    due = (
        select(Delivery.id)
        .where(Delivery.status == "queued", Delivery.not_before <= now)
        .order_by(Delivery.not_before, Delivery.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    token = secrets.token_hex(16)
    if ids:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == "queued")
            .values(status="sending", claim_token=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if not ids:
        return []
    return list(db.session.scalars(select(Delivery).where(Delivery.claim_token == token)))


def _send(row: Delivery) -> None:
    if row.channel not in channels.enabled_channels():
        raise channels.ChannelError(f"{row.channel_label}通道未配置。")
    if row.channel == "email":
        channels.send_email(row.address, row.subject, row.body)
    elif row.channel == "sms":
        channels.send_sms(row.address, row.body)
    else:
        level, _, group_id = row.address.partition(":")
        column = GroupWebhook.community_id if level == "community" else GroupWebhook.township_id
        hook = db.session.scalar(select(GroupWebhook).where(column == int(group_id)))
        if hook is None:
            raise channels.ChannelError("该群的机器人已移除。")
        channels.post_webhook(hook, row.subject, row.body)


def _outcome(row: Delivery, token: str, error: str | None, now: datetime) -> None:
    """Record a send's result, only while this worker still holds the row."""
    mine = (Delivery.id == row.id, Delivery.claim_token == token, Delivery.status == "sending")
    if error is None:
        values = {"status": "sent", "sent_at": now, "last_error": "", "attempts": row.attempts + 1}
    else:
        attempts = row.attempts + 1
        backoff = float(current_app.config["NOTIFY_BACKOFF_SECONDS"]) * 2 ** (attempts - 1)
        last = attempts >= int(current_app.config["NOTIFY_MAX_ATTEMPTS"])
        retry_at = now + timedelta(seconds=backoff)
        if row.channel == "sms" and not row.urgent:
            retry_at = quiet_release(retry_at)  # a retry keeps the quiet hours too
        values = {
            "status": "dead" if last else "queued",
            "attempts": attempts,
            "last_error": error[:500],
            "not_before": now if last else retry_at,
        }
    db.session.execute(
        update(Delivery)
        .where(*mine)
        .values(claim_token="", **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_due(limit: int = 50, now: datetime | None = None) -> int:
    """Send the due deliveries this worker can claim; return how many were sent."""
    now = now or utcnow()
    sent = 0
    for row in _claim(limit, now):
        token = row.claim_token
        try:
            _send(row)
        except channels.ChannelError as error:
            _outcome(row, token, str(error) or "发送失败", now)
        except Exception as error:  # an unexpected fault must not lose the row
            _outcome(row, token, channels.redact(f"{type(error).__name__}: {error}"), now)
        else:
            _outcome(row, token, None, now)
            sent += 1
    return sent
