"""A community's 大党委 (joint party committee): its member organisations and 兼职委员.

The committee is made of the member units' party organisations, the community's
activity branches and its grid party groups. Its part-time members (兼职委员) come from
units, the police, property companies and owners' committees; each holds a post with
written duties (设岗定责). The appointment runs both ways (双向进入、交叉任职): the
member's seat on the community's committee, and the community secretary's seat in the
member's own organisation, are recorded on the same row. Members are invited to the
community's joint meetings and their attendance is kept.
"""

from datetime import date, datetime

from sqlalchemy import (
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
from marketplace.models.meetings import JointMeeting
from marketplace.models.places import Community, Unit

ORG_KINDS = {
    "unit_org": "成员单位党组织",
    "activity_branch": "活动党支部",
    "grid_group": "网格党小组",
}
MEMBER_ORIGINS = {
    "unit_secretary": "单位党组织书记",
    "police": "党员民警",
    "property": "物业公司",
    "owners_committee": "业委会",
    "other": "其他",
}


class CommitteeOrg(db.Model):
    """An organisation of a community's 大党委."""

    __tablename__ = "committee_org"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ORG_KINDS), name="kind"),
        UniqueConstraint("community_id", "name", name="uq_committee_org_community_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community] = relationship()
    unit: Mapped[Unit | None] = relationship()

    @property
    def kind_label(self) -> str:
        return ORG_KINDS.get(self.kind, self.kind)


class CommitteeMember(db.Model):
    """A 兼职委员: a person, their post and duties, and the cross-appointment both ways."""

    __tablename__ = "committee_member"
    __table_args__ = (
        CheckConstraint(enum_check("origin", MEMBER_ORIGINS), name="origin"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(20))
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(80), default="")  # where they come from
    post: Mapped[str] = mapped_column(String(40))
    duties: Mapped[str] = mapped_column(Text, default="")
    # The other way: the community secretary's seat in the member's organisation.
    secretary_seat: Mapped[str] = mapped_column(String(60), default="")
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community] = relationship()
    from_unit: Mapped[Unit | None] = relationship()

    @property
    def origin_label(self) -> str:
        return MEMBER_ORIGINS.get(self.origin, self.origin)

    @property
    def from_label(self) -> str:
        return self.from_unit.name if self.from_unit is not None else self.organisation

    @property
    def active(self) -> bool:
        return self.left_on is None


class CommitteeAttendance(db.Model):
    """A 兼职委员 invited to a joint meeting, and whether they came."""

    __tablename__ = "committee_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id", name="uq_committee_attendance_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("joint_meeting.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_member.id"), index=True)
    present: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[JointMeeting] = relationship()
    member: Mapped[CommitteeMember] = relationship()
