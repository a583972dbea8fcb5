"""Listings: a community's needs (需求清单) and a unit's offers (资源清单)."""

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community, Unit
from marketplace.models.taxonomy import ServiceType

NEED_STATUSES = {
    "draft": "草稿",
    "published": "已发布",
    "partly_claimed": "部分认领",
    "fully_claimed": "全部认领",
    "in_progress": "实施中",
    "completed": "已完成",
    "evaluated": "已评价",
    "withdrawn": "已撤回",
    "expired": "已过期",
}
# Needs that units can still claim.
OPEN_NEED_STATUSES = ("published", "partly_claimed")
# Needs visible to the public (search, browse).
PUBLIC_NEED_STATUSES = (
    "published",
    "partly_claimed",
    "fully_claimed",
    "in_progress",
    "completed",
    "evaluated",
)
URGENCIES = {1: "一般", 2: "较急", 3: "紧急"}
MEASURE_UNITS = {
    "people": "人次",
    "sessions": "场次",
    "spaces": "个",
    "hours": "小时",
    "items": "件",
    "households": "户",
}

OFFER_KINDS = {"facility": "场地设施", "service": "服务项目"}
OFFER_STATUSES = {"draft": "草稿", "published": "已发布", "withdrawn": "已撤回"}
FACILITY_KINDS = {
    "meeting_room": "会议室",
    "parking": "停车位",
    "sports_ground": "运动场",
    "activity_room": "活动室",
    "equipment": "设备",
}
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
ALL_WEEKDAYS = (1 << 7) - 1
WORKDAYS = (1 << 5) - 1


class Need(db.Model):
    __tablename__ = "need"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("claimed >= 0", name="claimed_non_negative"),
        CheckConstraint("claimed <= quantity", name="claimed_within_quantity"),
        CheckConstraint("urgency BETWEEN 1 AND 3", name="urgency_range"),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="window_ordered"
        ),
        CheckConstraint(enum_check("status", NEED_STATUSES), name="status"),
        CheckConstraint(enum_check("measure_unit", MEASURE_UNITS), name="measure_unit"),
        Index("ix_need_status_community", "status", "community_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int]
    claimed: Mapped[int] = mapped_column(default=0)
    measure_unit: Mapped[str] = mapped_column(String(20), default="people")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    urgency: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    community: Mapped[Community] = relationship()
    service_type: Mapped[ServiceType] = relationship()

    @property
    def remaining(self) -> int:
        return self.quantity - self.claimed

    @property
    def status_label(self) -> str:
        return NEED_STATUSES.get(self.status, self.status)

    @property
    def urgency_label(self) -> str:
        return URGENCIES.get(self.urgency, str(self.urgency))

    @property
    def measure_label(self) -> str:
        return MEASURE_UNITS.get(self.measure_unit, self.measure_unit)


class Offer(db.Model):
    """A unit's facility (meeting room, parking, …) or service on its offer list."""

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint(enum_check("kind", OFFER_KINDS), name="kind"),
        CheckConstraint(enum_check("status", OFFER_STATUSES), name="status"),
        CheckConstraint(
            f"facility_kind IS NULL OR {enum_check('facility_kind', FACILITY_KINDS)}",
            name="facility_kind",
        ),
        CheckConstraint(
            "(kind = 'facility') = (facility_kind IS NOT NULL)", name="facility_kind_iff_facility"
        ),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "monthly_quantity IS NULL OR monthly_quantity > 0", name="monthly_quantity_positive"
        ),
        CheckConstraint(f"open_weekdays BETWEEN 0 AND {ALL_WEEKDAYS}", name="open_weekdays"),
        CheckConstraint(
            "open_from IS NULL OR open_until IS NULL OR open_until > open_from",
            name="opening_ordered",
        ),
        Index("ix_offer_status_kind", "status", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    facility_kind: Mapped[str | None] = mapped_column(String(20))
    capacity: Mapped[int | None]
    address: Mapped[str] = mapped_column(String(200), default="")
    open_weekdays: Mapped[int] = mapped_column(default=WORKDAYS)
    open_from: Mapped[time | None] = mapped_column(Time)
    open_until: Mapped[time | None] = mapped_column(Time)
    is_free: Mapped[bool] = mapped_column(default=True)
    is_public: Mapped[bool] = mapped_column(default=True)
    monthly_quantity: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    unit: Mapped[Unit] = relationship()
    service_type: Mapped[ServiceType] = relationship()

    @property
    def status_label(self) -> str:
        return OFFER_STATUSES.get(self.status, self.status)

    @property
    def facility_label(self) -> str:
        return FACILITY_KINDS.get(self.facility_kind or "", "")

    @property
    def opening_label(self) -> str:
        """Describe the opening hours, e.g. 周一至周五 08:30-17:30."""
        days = [WEEKDAY_NAMES[i] for i in range(7) if self.open_weekdays & (1 << i)]
        if not days:
            return "暂不开放"
        if self.open_weekdays == ALL_WEEKDAYS:
            day_text = "每天"
        elif self.open_weekdays == WORKDAYS:
            day_text = "周一至周五"
        else:
            day_text = "、".join(days)
        if self.open_from and self.open_until:
            return f"{day_text} {self.open_from:%H:%M}-{self.open_until:%H:%M}"
        return day_text

    def is_open_at(self, weekday: int, moment: time) -> bool:
        """Tell whether the facility is open on ``weekday`` (0 = Monday) at ``moment``."""
        if not self.open_weekdays & (1 << weekday):
            return False
        if self.open_from and self.open_until:
            return self.open_from <= moment < self.open_until
        return True


class NeedInvitation(db.Model):
    """A community's invitation to a unit to claim one of its needs (once per pair)."""

    __tablename__ = "need_invitation"
    __table_args__ = (UniqueConstraint("need_id", "unit_id", name="uq_need_invitation_need_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
