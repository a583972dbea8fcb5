"""Pairing plans: versioned unit↔community pairings with their inputs and score parts."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community, County, Unit

PLAN_STATUSES = {
    "draft": "草稿",
    "under_review": "审核中",
    "approved": "已批准",
    "published": "已发布",
    "superseded": "已被替代",
    "discarded": "已废弃",
}


class PairingPlan(db.Model):
    __tablename__ = "pairing_plan"
    __table_args__ = (
        UniqueConstraint("county_id", "version", name="uq_pairing_plan_county_version"),
        CheckConstraint(enum_check("status", PLAN_STATUSES), name="status"),
        CheckConstraint(
            "max_change_share IS NULL OR (max_change_share >= 0 AND max_change_share <= 1)",
            name="max_change_share_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The inputs that produced the plan, kept so it can be explained and re-run.
    quotas: Mapped[dict] = mapped_column(JSON, default=dict)
    capacities: Mapped[dict] = mapped_column(JSON, default=dict)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    forbidden: Mapped[list] = mapped_column(JSON, default=list)
    pinned: Mapped[list] = mapped_column(JSON, default=list)
    # At most this many of the published plan's pairs may be dropped (None: no cap).
    max_changes: Mapped[int | None] = mapped_column()
    # The cap as a share of the published plan's pairs (None: given as a count, or none),
    # and why the reviewer lifted it above the county's setting.
    max_change_share: Mapped[float | None] = mapped_column()
    change_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    total_score: Mapped[float] = mapped_column(default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("pairing_plan.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    county: Mapped[County] = relationship()
    pairs: Mapped[list["PlanPair"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanPair.id"
    )
    adjustments: Mapped[list["PlanAdjustment"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAdjustment.id"
    )

    @property
    def status_label(self) -> str:
        return PLAN_STATUSES.get(self.status, self.status)


class PlanPair(db.Model):
    __tablename__ = "plan_pair"
    __table_args__ = (
        UniqueConstraint(
            "plan_id", "unit_id", "community_id", name="uq_plan_pair_plan_unit_community"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("pairing_plan.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    score: Mapped[float] = mapped_column(default=0.0)
    coverage: Mapped[float] = mapped_column(default=0.0)
    proximity: Mapped[float] = mapped_column(default=0.0)
    continuity: Mapped[float] = mapped_column(default=0.0)
    preference: Mapped[float] = mapped_column(default=0.0)
    pinned: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[PairingPlan] = relationship(back_populates="pairs")
    unit: Mapped[Unit] = relationship()
    community: Mapped[Community] = relationship()


class PlanAdjustment(db.Model):
    """A reviewer's pin / forbid / swap on a plan, kept with it and shown."""

    __tablename__ = "plan_adjustment"
    __table_args__ = (
        CheckConstraint(
            enum_check("kind", ("pin", "forbid", "swap", "unpin", "unforbid")), name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("pairing_plan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    plan: Mapped[PairingPlan] = relationship(back_populates="adjustments")
