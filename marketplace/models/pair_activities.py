"""Pair activities (对接活动): what a published unit↔community pair did together, by quarter.

Every pair 「每季度至少开展一次对接活动」. Either side logs an activity; the
other side confirms it. ``PairReminder`` remembers which pairs were reminded for which
quarter, so the periodic reminder can run twice without reminding twice.
"""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community, Unit

ACTIVITY_KINDS = {
    "party_day": "主题党日",
    "volunteering": "志愿服务",
    "symposium": "座谈",
    "project": "共建项目",
}
ACTIVITY_STATUSES = {"logged": "待对方确认", "confirmed": "已确认"}
SIDES = {"unit": "驻区单位", "community": "社区"}


class PairActivity(db.Model):
    __tablename__ = "pair_activity"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ACTIVITY_KINDS), name="kind"),
        CheckConstraint(enum_check("status", ACTIVITY_STATUSES), name="status"),
        CheckConstraint(enum_check("logged_by_side", SIDES), name="logged_by_side"),
        CheckConstraint("participants >= 0", name="participants_non_negative"),
        Index("ix_pair_activity_pair_date", "unit_id", "community_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    participants: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="logged")
    logged_by_side: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit] = relationship()
    community: Mapped[Community] = relationship()

    @property
    def kind_label(self) -> str:
        return ACTIVITY_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return ACTIVITY_STATUSES.get(self.status, self.status)

    @property
    def confirming_side(self) -> str:
        return "community" if self.logged_by_side == "unit" else "unit"


class PairReminder(db.Model):
    """A pair reminded, for one quarter, that it has logged nothing yet (once only)."""

    __tablename__ = "pair_reminder"
    __table_args__ = (
        UniqueConstraint(
            "unit_id", "community_id", "year", "quarter", name="uq_pair_reminder_pair_quarter"
        ),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    year: Mapped[int]
    quarter: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
