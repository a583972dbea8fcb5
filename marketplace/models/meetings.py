"""Joint meetings (联席会议) at three levels, their attendance and action items.

Community and township meetings monthly, the county's quarterly. The host
records who came, the minutes, the decisions as action items and next month's theme.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community, County, Township, Unit

MEETING_LEVELS = {"community": "社区", "township": "乡镇（街道）", "county": "县级"}
ACTION_STATUSES = {"open": "进行中", "done": "已完成", "escalated": "已上报"}


class JointMeeting(db.Model):
    __tablename__ = "joint_meeting"
    __table_args__ = (
        CheckConstraint(enum_check("level", MEETING_LEVELS), name="level"),
        # The host matches the level: a community's meeting names its community, etc.
        CheckConstraint(
            "(level = 'community') = (community_id IS NOT NULL)", name="community_host"
        ),
        CheckConstraint("(level = 'township') = (township_id IS NOT NULL)", name="township_host"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(20))
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    theme: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[str] = mapped_column(Text, default="")
    next_theme: Mapped[str] = mapped_column(String(100), default="")
    agenda: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    county: Mapped[County] = relationship()
    township: Mapped[Township | None] = relationship()
    community: Mapped[Community | None] = relationship()
    attendance: Mapped[list["MeetingAttendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendance.id"
    )
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="meeting", order_by="ActionItem.id"
    )

    @property
    def level_label(self) -> str:
        return MEETING_LEVELS.get(self.level, self.level)

    @property
    def host_name(self) -> str:
        if self.community is not None:
            return self.community.name
        if self.township is not None:
            return self.township.name
        return self.county.name


class MeetingAttendance(db.Model):
    """A unit invited to a meeting, and whether it came."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "unit_id", name="uq_meeting_attendance_meeting_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("joint_meeting.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    present: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[JointMeeting] = relationship(back_populates="attendance")
    unit: Mapped[Unit] = relationship()


class ActionItem(db.Model):
    """A meeting's decision: what, who (a unit or a named person), by when, and its state."""

    __tablename__ = "action_item"
    __table_args__ = (CheckConstraint(enum_check("status", ACTION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("joint_meeting.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(60), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    meeting: Mapped[JointMeeting] = relationship(back_populates="action_items")
    owner_unit: Mapped[Unit | None] = relationship()

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.status, self.status)

    @property
    def owner_label(self) -> str:
        return self.owner_unit.name if self.owner_unit is not None else self.owner_name
