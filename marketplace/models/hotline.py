"""志愿服务110: hotline tickets (接听—派单—服务), their timed steps, and the service kinds.

A ticket is received → dispatched (to a team) → accepted → served → followed up →
closed; a declined dispatch and an unsolved follow-up send it back to received. The
database keeps "a team exactly when past received", so a dispatch is one conditional
``UPDATE … WHERE status = 'received'`` that only one dispatcher can win.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community
from marketplace.privacy import mask_name

if TYPE_CHECKING:
    from marketplace.models.members import Team

TICKET_STATUSES = {
    "received": "已接听待派单",
    "dispatched": "已派单",
    "accepted": "已接单",
    "served": "已服务待回访",
    "followed_up": "已回访",
    "closed": "已办结",
}
# Before service: the time limits still run.
PENDING_STATUSES = ("received", "dispatched", "accepted")
# Tickets a team is working on (its open load).
TEAM_LOAD_STATUSES = ("dispatched", "accepted")
URGENCIES = {"urgent": "紧急", "normal": "一般"}
CHANNELS = {"phone": "热线电话", "online": "网上求助"}
EVENT_ACTIONS = {
    "received": "接听登记",
    "dispatched": "派单",
    "accepted": "接单",
    "declined": "退单",
    "served": "完成服务",
    "followed_up": "回访",
    "reopened": "回访未解决，重新派单",
    "closed": "办结",
    "overdue": "超时",
}
OVERDUE_STAGES = {"dispatch": "派单超时", "serve": "服务超时"}

# service_code → (name, description, words that show a team serves this kind).
HOTLINE_SERVICES = {
    "repair": (
        "便民维修",
        "水电维修、家电小修、管道疏通等上门帮忙",
        ("便民", "维修", "水电", "代办"),
    ),
    "elderly": (
        "助老助残",
        "独居老人照料、助餐助浴、陪同就医",
        ("助老", "助残", "养老", "助民", "帮扶"),
    ),
    "cleanup": (
        "环境卫生",
        "楼道清理、垃圾清运、绿化养护",
        ("环境", "卫生", "清洁", "整治", "美民"),
    ),
    "dispute": ("矛盾调解", "邻里纠纷、家庭矛盾、物业纠纷调解", ("调解", "安民", "矛盾")),
    "legal": ("法律咨询", "法律问题咨询、维权指引", ("法律", "普法", "维权")),
    "health": ("医疗健康", "健康咨询、送药上门、义诊", ("医疗", "健康", "义诊", "医护", "陪诊")),
    "safety": ("平安巡逻", "治安巡逻、安全隐患排查", ("平安", "巡逻", "治安", "安全", "应急")),
    "education": ("教育助学", "课后辅导、助学帮扶、心理疏导", ("教育", "助学", "辅导", "育民")),
    "culture": ("文体活动", "文艺演出、体育健身活动组织", ("文体", "文艺", "乐民", "联欢")),
    "other": ("其他求助", "其他需要志愿者帮助的事情", ("便民", "综合", "代办")),
}
SERVICE_NAMES = {code: name for code, (name, _d, _w) in HOTLINE_SERVICES.items()}
_TEAM_SQL = "(status = 'received') = (team_id IS NULL)"


class Ticket(db.Model):
    __tablename__ = "hotline_ticket"
    __table_args__ = (
        CheckConstraint(enum_check("status", TICKET_STATUSES), name="status"),
        CheckConstraint(enum_check("urgency", URGENCIES), name="urgency"),
        CheckConstraint(enum_check("channel", CHANNELS), name="channel"),
        CheckConstraint(enum_check("service_code", HOTLINE_SERVICES), name="service_code"),
        CheckConstraint(
            f"overdue_stage IS NULL OR {enum_check('overdue_stage', OVERDUE_STAGES)}",
            name="overdue_stage",
        ),
        CheckConstraint(_TEAM_SQL, name="team_when_dispatched"),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"
        ),
        CheckConstraint("service_hours IS NULL OR service_hours > 0", name="hours_positive"),
        CheckConstraint("community_id IS NOT NULL OR address != ''", name="place_given"),
        Index("ix_hotline_ticket_status_received", "status", "received_at"),
        Index("ix_hotline_ticket_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), default="phone")
    caller_name: Mapped[str] = mapped_column(String(40), default="")
    caller_phone: Mapped[str] = mapped_column(String(30))  # staff only, never public
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    service_code: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(20), default="received")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("member_team.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    dispatch_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    serve_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    served_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    followed_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by mark_overdue_tickets once per stage, so each lateness is notified once.
    overdue_stage: Mapped[str | None] = mapped_column(String(10))
    overdue_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declines: Mapped[int] = mapped_column(default=0)
    reopens: Mapped[int] = mapped_column(default=0)
    service_summary: Mapped[str] = mapped_column(Text, default="")
    service_hours: Mapped[float | None]
    satisfaction: Mapped[int | None]
    resolved: Mapped[bool | None]
    followup_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    community: Mapped[Community | None] = relationship()
    team: Mapped["Team | None"] = relationship()
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )

    @property
    def status_label(self) -> str:
        return TICKET_STATUSES.get(self.status, self.status)

    @property
    def service_name(self) -> str:
        return SERVICE_NAMES.get(self.service_code, self.service_code)

    @property
    def urgency_label(self) -> str:
        return URGENCIES.get(self.urgency, self.urgency)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def caller_masked(self) -> str:
        return mask_name(self.caller_name) or "匿名"

    @property
    def place_label(self) -> str:
        return self.community.name if self.community is not None else self.address


class TicketEvent(db.Model):
    """One timed step of a ticket: who did what, from which state to which, and a note."""

    __tablename__ = "hotline_event"
    __table_args__ = (CheckConstraint(enum_check("action", EVENT_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("hotline_ticket.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("member_team.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    team: Mapped["Team | None"] = relationship()

    @property
    def action_label(self) -> str:
        return EVENT_ACTIONS.get(self.action, self.action)
