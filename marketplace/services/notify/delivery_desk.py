"""The admin side of the outbox: test messages, retrying dead letters, the opt-out list.

Also the queue's figures (per channel and state) that the 「消息通道」 page and
``flask notify status`` show.
"""

from sqlalchemy import func, select, update

from marketplace import clock
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Delivery, SmsOptOut, User
from marketplace.models._common import utcnow
from marketplace.models.deliveries import DELIVERY_CHANNELS, DELIVERY_STATUSES
from marketplace.services import audit
from marketplace.services.access import require_admin
from marketplace.services.notify import channels
from marketplace.services.notify.outbox import SITE_NAME, configured_groups, phone_key, sms_row
from marketplace.services.pagination import Page, paginate


def retry(actor: User, delivery_id: int) -> Delivery:
    """Queue a dead delivery again (admin), from a fresh count of attempts."""
    require_admin(actor)
    row = db.session.get(Delivery, delivery_id)
    if row is None:
        raise NotFound("投递记录不存在。")
    changed = db.session.execute(
        update(Delivery)
        .where(Delivery.id == row.id, Delivery.status == "dead")
        .values(status="queued", attempts=0, not_before=utcnow(), claim_token="")
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Conflict("只有发送失败的投递可以重试。")
    audit.record(
        "notify.retry",
        actor=actor,
        object_type="delivery",
        object_id=row.id,
        detail=f"{row.channel_label} #{row.id}",
    )
    db.session.commit()
    db.session.refresh(row)
    return row


def send_test(actor: User, channel: str, address: str = "") -> Delivery:
    """Queue a test message on one channel (admin): to an address, or a group's robot."""
    require_admin(actor)
    if channel not in DELIVERY_CHANNELS:
        raise InvalidInput("未知的通道。", field="channel")
    if channel not in channels.enabled_channels():
        raise InvalidInput(f"{DELIVERY_CHANNELS[channel]}通道尚未配置。", field="channel")
    address = (address or "").strip()[:200]
    text = f"这是一条测试消息，发送于 {clock.local_time(utcnow())}。"
    if channel == "sms":
        if not phone_key(address):
            raise InvalidInput("请填写接收测试短信的手机号码。", field="address")
        row = sms_row(address, "notify.test", text, None, urgent=True)
    elif channel == "email":
        if "@" not in address:
            raise InvalidInput("请填写接收测试邮件的电子邮箱。", field="address")
        row = Delivery(
            channel="email",
            address=address,
            kind="notify.test",
            subject=f"{SITE_NAME} · 测试消息",
            body=text,
        )
    else:
        if not configured_groups([address]):
            raise InvalidInput("请选择已设置机器人的群。", field="address")
        row = Delivery(
            channel="webhook", address=address, kind="notify.test", subject="测试消息", body=text
        )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "notify.test",
        actor=actor,
        object_type="delivery",
        object_id=row.id,
        detail=DELIVERY_CHANNELS[channel],
    )
    db.session.commit()
    return row


def opt_out(phone: str, actor: User | None = None) -> bool:
    """Put a phone on the opt-out list (it answered 「TD」); False if it already was.

    From a page an admin does it (``actor``); the gateway's reply hook and the CLI act
    as the system.
    """
    if actor is not None:
        require_admin(actor)
    key = phone_key(phone or "")
    if len(key) < 7:
        raise InvalidInput("手机号码格式不正确。", field="phone")
    if db.session.get(SmsOptOut, key) is not None:
        return False
    db.session.add(SmsOptOut(phone=key))
    # the number itself is personal data: the audit says only that one opted out
    audit.record(
        "notify.sms_opt_out", actor=actor, detail="短信退订", username=None if actor else "system"
    )
    db.session.commit()
    return True


def status_counts() -> dict[str, dict[str, int]]:
    """Return how many deliveries each channel has in each state."""
    counts = {channel: dict.fromkeys(DELIVERY_STATUSES, 0) for channel in DELIVERY_CHANNELS}
    rows = db.session.execute(
        select(Delivery.channel, Delivery.status, func.count()).group_by(
            Delivery.channel, Delivery.status
        )
    )
    for channel, status, count in rows:
        counts.setdefault(channel, dict.fromkeys(DELIVERY_STATUSES, 0))[status] = count
    return counts


def deliveries_page(status: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Return deliveries (optionally of one state), the newest first."""
    query = select(Delivery).order_by(Delivery.id.desc())
    if status:
        if status not in DELIVERY_STATUSES:
            raise InvalidInput("未知的投递状态。", field="status")
        query = query.where(Delivery.status == status)
    return paginate(query, page, per_page)
