"""In-service party members (在职党员): reports to a community, posts, teams, service.

A member's account is a ``member`` User; the person is bound through their own ``Member``
row (``user_id`` unique), to a work unit (``unit_id``) and, once a report is confirmed,
to a community (``community_id``). ``User.unit_id`` stays the unit secretary's binding.
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
from marketplace.models._common import enum_check, partial_unique, utcnow
from marketplace.models.accounts import User
from marketplace.models.listings import Need
from marketplace.models.places import Community, Unit

REPORT_STATUSES = {"pending": "待确认", "confirmed": "已报到", "returned": "已退回"}
LIVE_REPORT_STATUSES = ("pending", "confirmed")
_LIVE_REPORT_SQL = enum_check("status", LIVE_REPORT_STATUSES)

TEAM_ROLES = {"member": "队员", "co_leader": "党员负责人", "liaison": "联络员"}
_TEAM_OFFICER_SQL = "team_role != 'member'"

# What a service record (or an activity) is: the checklist reads these.
SERVICE_KINDS = {
    "service": "志愿服务",
    "org_life": "社区党组织生活",
    "symposium": "与社区干部座谈",
    "survey": "社区调研",
}
ACTIVITY_KINDS = {key: SERVICE_KINDS[key] for key in ("service", "org_life", "symposium")}
SERVICE_STATUSES = {"submitted": "待确认", "confirmed": "已确认", "returned": "已退回"}
# Where a service record came from, for links to other domains (need, wish, hotline …).
SERVICE_SOURCES = {"need": "社区需求", "wish": "微心愿", "hotline": "志愿服务110"}


class Post(db.Model):
    """A community's service post (岗位) with a number of places; ``taken`` counts them."""

    __tablename__ = "member_post"
    __table_args__ = (
        UniqueConstraint("community_id", "name", name="uq_member_post_community_name"),
        CheckConstraint("places >= 1", name="places_positive"),
        CheckConstraint("taken >= 0 AND taken <= places", name="taken_within_places"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    places: Mapped[int] = mapped_column(default=10)
    taken: Mapped[int] = mapped_column(default=0)
    # The team this post's members usually serve in: the placement engine's first choice.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("member_team.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community] = relationship()
    team: Mapped["Team | None"] = relationship()

    @property
    def places_left(self) -> int:
        return self.places - self.taken


class Team(db.Model):
    """A community's service team (服务队), led by a cadre and a member, with a liaison.

    The member co-leader and the liaison are members of the team with that
    ``Member.team_role`` (a partial unique index keeps one of each per team).
    """

    __tablename__ = "member_team"
    __table_args__ = (
        UniqueConstraint("community_id", "name", name="uq_member_team_community_name"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(default=20)
    leader_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community] = relationship()
    leader: Mapped[User | None] = relationship()
    members: Mapped[list["Member"]] = relationship(
        back_populates="team", order_by="Member.id", viewonly=True
    )

    def _officer(self, role: str) -> "Member | None":
        return next((member for member in self.members if member.team_role == role), None)

    @property
    def co_leader(self) -> "Member | None":
        return self._officer("co_leader")

    @property
    def liaison(self) -> "Member | None":
        return self._officer("liaison")


class Member(db.Model):
    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint(enum_check("team_role", TEAM_ROLES), name="team_role"),
        CheckConstraint("post_id IS NULL OR community_id IS NOT NULL", name="post_needs_report"),
        CheckConstraint("team_id IS NULL OR community_id IS NOT NULL", name="team_needs_report"),
        CheckConstraint("team_role = 'member' OR team_id IS NOT NULL", name="officer_in_team"),
        CheckConstraint("points_balance >= 0", name="points_balance_non_negative"),
        partial_unique("uq_member_team_officer", "team_id", "team_role", where=_TEAM_OFFICER_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(30), default="")
    home_community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    # Set when a report is confirmed; cleared if the member reports elsewhere.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("member_post.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("member_team.id"), index=True)
    team_role: Mapped[str] = mapped_column(String(20), default="member")
    # A cache of the sum of the member's point entries, moved only by services/members/points.py
    # with a conditional UPDATE; ``flask points check`` compares it with the ledger.
    points_balance: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
    home_community: Mapped[Community | None] = relationship(foreign_keys=[home_community_id])
    community: Mapped[Community | None] = relationship(foreign_keys=[community_id])
    post: Mapped[Post | None] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members")

    @property
    def reported(self) -> bool:
        return self.community_id is not None

    @property
    def team_role_label(self) -> str:
        return TEAM_ROLES.get(self.team_role, self.team_role)


class MemberReport(db.Model):
    """A member's report (报到) to a community; at most one pending or confirmed at a time."""

    __tablename__ = "member_report"
    __table_args__ = (
        CheckConstraint(enum_check("status", REPORT_STATUSES), name="status"),
        partial_unique("uq_member_report_live", "member_id", where=_LIVE_REPORT_SQL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was returned
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[Member] = relationship()
    community: Mapped[Community] = relationship()

    @property
    def status_label(self) -> str:
        return REPORT_STATUSES.get(self.status, self.status)


class Activity(db.Model):
    """A community activity members check in to by scanning its QR code."""

    __tablename__ = "member_activity"
    __table_args__ = (
        CheckConstraint(enum_check("kind", ACTIVITY_KINDS), name="kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="service")
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checkin_token: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("member_team.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community] = relationship()
    team: Mapped[Team | None] = relationship()

    @property
    def kind_label(self) -> str:
        return ACTIVITY_KINDS.get(self.kind, self.kind)


class ServiceRecord(db.Model):
    """A member's service (or attendance), confirmed by the community or a team leader.

    ``source_kind``/``source_id`` link it to what it served (a need, a wish, a hotline
    ticket); ``activity_id`` is set by a QR check-in, once per member and activity, and
    ``checked_out_at`` by the member's second scan (the hours then are the time between).
    """

    __tablename__ = "service_record"
    __table_args__ = (
        CheckConstraint(enum_check("kind", SERVICE_KINDS), name="kind"),
        CheckConstraint(enum_check("status", SERVICE_STATUSES), name="status"),
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        CheckConstraint(
            f"source_kind IS NULL OR {enum_check('source_kind', SERVICE_SOURCES)}",
            name="source_kind",
        ),
        CheckConstraint("(source_kind IS NULL) = (source_id IS NULL)", name="source_pair"),
        UniqueConstraint("activity_id", "member_id", name="uq_service_record_checkin"),
        Index("ix_service_record_member_served_on", "member_id", "served_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="service")
    served_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float]
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("member_post.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("member_team.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id"), index=True)
    source_kind: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[int | None]
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("member_activity.id"), index=True)
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was returned
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    member: Mapped[Member] = relationship()
    community: Mapped[Community] = relationship()
    post: Mapped[Post | None] = relationship()
    team: Mapped[Team | None] = relationship()
    need: Mapped[Need | None] = relationship()
    activity: Mapped[Activity | None] = relationship()

    @property
    def kind_label(self) -> str:
        return SERVICE_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return SERVICE_STATUSES.get(self.status, self.status)
