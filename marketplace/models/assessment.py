"""The annual assessment (年度考核): the reviewers' weights and the units' ratings.

「履职双向考核评议」 — units are scored on their part in co-building, and they
rate their paired community's support once a year. Part values are computed, not
stored (see ``services/oversight/assessment_parts.py``); only the reviewers' choices are kept.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import utcnow
from marketplace.models.places import Community, Unit


class AssessmentYear(db.Model):
    """A year's assessment rule: quarters with a confirmed activity needed for 先进单位."""

    __tablename__ = "assessment_year"
    __table_args__ = (
        CheckConstraint("eligible_quarters BETWEEN 0 AND 4", name="eligible_quarters_range"),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    eligible_quarters: Mapped[int] = mapped_column(default=4)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssessmentWeight(db.Model):
    __tablename__ = "assessment_weight"
    __table_args__ = (
        UniqueConstraint("year", "part", name="uq_assessment_weight_year_part"),
        CheckConstraint("weight >= 0", name="weight_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    part: Mapped[str] = mapped_column(String(40))
    weight: Mapped[float]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CommunityRating(db.Model):
    """A unit's yearly rating of its paired community's support (the two-way half)."""

    __tablename__ = "community_rating"
    __table_args__ = (
        UniqueConstraint("year", "unit_id", "community_id", name="uq_community_rating_once"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    community: Mapped[Community] = relationship()


class UnitGrade(db.Model):
    """A community's yearly grade of a unit paired with it (社区评价部门, the other half)."""

    __tablename__ = "unit_grade"
    __table_args__ = (
        UniqueConstraint("year", "community_id", "unit_id", name="uq_unit_grade_once"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    community: Mapped[Community] = relationship()
