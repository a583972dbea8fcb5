"""Members' points (积分): a ledger of entries, the value of each source, the points shop."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, partial_unique, utcnow
from marketplace.models.accounts import User
from marketplace.models.members import Member
from marketplace.models.places import Community

POINT_SOURCES = {
    "service": "志愿服务",
    "activity": "活动签到",
    "wish": "微心愿",
    "hotline": "志愿服务110",
    "checklist": "年度清单完成",
    "correction": "人工更正",
    "redemption": "积分超市兑换",
}
# Sources awarded automatically from a record: at most one entry per record and member.
AWARDED_SOURCES = ("service", "activity", "wish", "hotline", "checklist")
_AWARDED_SQL = "source_kind IN ('service', 'activity', 'wish', 'hotline', 'checklist')"


class PointEntry(db.Model):
    """One entry of a member's points; the balance is the sum of the entries."""

    __tablename__ = "point_entry"
    __table_args__ = (
        CheckConstraint(enum_check("source_kind", POINT_SOURCES), name="source_kind"),
        CheckConstraint("amount != 0", name="amount_non_zero"),
        CheckConstraint("balance_after >= 0", name="balance_after_non_negative"),
        partial_unique(
            "uq_point_entry_awarded_source",
            "member_id",
            "source_kind",
            "source_id",
            where=_AWARDED_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    amount: Mapped[int]
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    balance_after: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[Member] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def source_label(self) -> str:
        return POINT_SOURCES.get(self.source_kind, self.source_kind)


class PointRule(db.Model):
    """How many points one record of a source earns; the admin changes these."""

    __tablename__ = "point_rule"
    __table_args__ = (
        CheckConstraint(enum_check("source_kind", POINT_SOURCES), name="source_kind"),
        CheckConstraint("points >= 0 AND points <= 1000", name="points_range"),
    )

    source_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    points: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ShopItem(db.Model):
    """An item of a community's points shop (积分超市)."""

    __tablename__ = "shop_item"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("stock >= 0", name="stock_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community] = relationship()
