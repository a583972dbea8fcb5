"""Notifications that leave the app: the delivery outbox and who gets what, where.

Each in-app notification also writes one ``Delivery`` row per outside channel its
recipient uses (e-mail, SMS) and one per group webhook of the recipients' community or
township, in the same transaction; a worker sends them later with retries. A row is
queued → sending (claimed by one worker) → sent, or back to queued with a later
``not_before`` after a failure, and dead with its reason after the last attempt.
"""

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community, Township

DELIVERY_CHANNELS = {"email": "电子邮件", "webhook": "群机器人", "sms": "短信"}
DELIVERY_STATUSES = {
    "queued": "排队中",
    "sending": "发送中",
    "sent": "已发送",
    "dead": "发送失败",
    "held": "待汇总",
    "merged": "已并入每日汇总",
}
WEBHOOK_FLAVORS = {"wecom": "企业微信", "dingtalk": "钉钉"}
WEBHOOK_STYLES = {"text": "文本", "markdown": "Markdown"}


class Delivery(db.Model):
    __tablename__ = "notify_delivery"
    __table_args__ = (
        CheckConstraint(enum_check("channel", DELIVERY_CHANNELS), name="channel"),
        CheckConstraint(enum_check("status", DELIVERY_STATUSES), name="status"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_notify_delivery_due", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    # an e-mail address, a phone number, or a group ("community:3", "township:1")
    address: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    # an urgent text (an urgent hotline ticket) may go during quiet hours, retries included
    urgent: Mapped[bool] = mapped_column(default=False)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claim_token: Mapped[str] = mapped_column(String(32), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def channel_label(self) -> str:
        return DELIVERY_CHANNELS.get(self.channel, self.channel)

    @property
    def status_label(self) -> str:
        return DELIVERY_STATUSES.get(self.status, self.status)

    @property
    def topic(self) -> str:
        """What the message is about (its subject without the site's name)."""
        return self.subject.rpartition(" · ")[2] or self.kind


class NotificationSetting(db.Model):
    """A user's outside channels: e-mail address, kinds × channels, digest, calendar."""

    __tablename__ = "notify_setting"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(120), default="")
    # {kind group: [channel, …]}; None keeps the defaults
    channels: Mapped[dict | None] = mapped_column(JSON)
    digest: Mapped[bool] = mapped_column(default=False)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GroupWebhook(db.Model):
    """The robot of one community's or one township's work group (企业微信 or 钉钉)."""

    __tablename__ = "notify_group_webhook"
    __table_args__ = (
        CheckConstraint("(community_id IS NULL) != (township_id IS NULL)", name="one_group"),
        CheckConstraint(enum_check("flavor", WEBHOOK_FLAVORS), name="flavor"),
        CheckConstraint(enum_check("style", WEBHOOK_STYLES), name="style"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), unique=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), unique=True)
    flavor: Mapped[str] = mapped_column(String(20), default="wecom")
    style: Mapped[str] = mapped_column(String(20), default="text")
    url: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community | None] = relationship()
    township: Mapped[Township | None] = relationship()

    @property
    def group_key(self) -> str:
        if self.community_id is not None:
            return f"community:{self.community_id}"
        return f"township:{self.township_id}"

    @property
    def flavor_label(self) -> str:
        return WEBHOOK_FLAVORS.get(self.flavor, self.flavor)

    @property
    def masked_url(self) -> str:
        """The robot's address without its key (the path and query hold the secret)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}/***"

    @property
    def group_name(self) -> str:
        return self.community.name if self.community is not None else self.township.name


class SmsOptOut(db.Model):
    """A phone number that answered 「TD」: it gets no more texts."""

    __tablename__ = "notify_sms_opt_out"

    phone: Mapped[str] = mapped_column(String(30), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReminderSent(db.Model):
    """One reminder sent (``booking:12:eve``): the reminder jobs send each once."""

    __tablename__ = "notify_reminder_sent"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
