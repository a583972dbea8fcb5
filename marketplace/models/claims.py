"""Claims (认领) of needs by units, their progress reports and both sides' ratings."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, partial_unique, utcnow
from marketplace.models.listings import Need
from marketplace.models.places import Unit

CLAIM_STATUSES = {
    "proposed": "待确认",
    "accepted": "已接受",
    "declined": "已婉拒",
    "in_progress": "实施中",
    "done": "已完成",
    "withdrawn": "已撤回",
}
# Claims whose quantity counts against the need (need.claimed is their sum).
LIVE_CLAIM_STATUSES = ("proposed", "accepted", "in_progress", "done")
# A unit may hold one open claim per need at a time (double submits collapse to one).
OPEN_CLAIM_STATUSES = ("proposed", "accepted", "in_progress")
# Projects under way (the dashboards' 实施中的项目 and the project list's 进行中 tab).
ONGOING_CLAIM_STATUSES = ("accepted", "in_progress")
_OPEN_CLAIM_SQL = enum_check("status", OPEN_CLAIM_STATUSES)


class Claim(db.Model):
    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(enum_check("status", CLAIM_STATUSES), name="status"),
        partial_unique("uq_claim_open_per_unit", "need_id", "unit_id", where=_OPEN_CLAIM_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("need.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    need: Mapped[Need] = relationship()
    unit: Mapped[Unit] = relationship()
    reports: Mapped[list["ProgressReport"]] = relationship(
        back_populates="claim", order_by="ProgressReport.created_at"
    )
    evaluation: Mapped["Evaluation | None"] = relationship(back_populates="claim")
    support_rating: Mapped["SupportRating | None"] = relationship(back_populates="claim")

    @property
    def status_label(self) -> str:
        return CLAIM_STATUSES.get(self.status, self.status)


class ProgressReport(db.Model):
    __tablename__ = "progress_report"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text)
    percent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="reports")


class Evaluation(db.Model):
    """The community's rating of a finished claim: 1–5 stars and a comment, once."""

    __tablename__ = "evaluation"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="evaluation")


class SupportRating(db.Model):
    """The unit's rating of the community's support on a finished claim: once, 1–5 stars."""

    __tablename__ = "support_rating"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="support_rating")
