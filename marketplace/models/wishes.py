"""微心愿: a resident's small wish, posted by community staff, claimed by one member or unit.

The claim lives on the wish row itself (``claimer_user_id``), taken by one conditional
``UPDATE … WHERE status = 'open'``, so however many claimers press at once only one row
changes. The resident's name is stored for the staff and shown masked everywhere else.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.accounts import User
from marketplace.models.places import Community, Unit
from marketplace.privacy import mask_name

if TYPE_CHECKING:
    from marketplace.models.members import Member

WISH_STATUSES = {
    "open": "待认领",
    "claimed": "已认领",
    "fulfilled": "已兑现待确认",
    "confirmed": "已送达",
    "expired": "已过期",
    "withdrawn": "已撤回",
}
# States in which the wish has a claimer (and the claimer columns are set).
CLAIMED_WISH_STATUSES = ("claimed", "fulfilled", "confirmed")
CLAIMER_KINDS = {"member": "在职党员", "unit": "驻区单位"}
_CLAIMED_SQL = enum_check("status", CLAIMED_WISH_STATUSES)


class Wish(db.Model):
    __tablename__ = "wish"
    __table_args__ = (
        CheckConstraint(enum_check("status", WISH_STATUSES), name="status"),
        CheckConstraint("value_yuan > 0", name="value_positive"),
        CheckConstraint(
            f"claimer_kind IS NULL OR {enum_check('claimer_kind', CLAIMER_KINDS)}",
            name="claimer_kind",
        ),
        # A claimed wish names its claimer; an unclaimed one names none.
        CheckConstraint(
            f"({_CLAIMED_SQL}) = (claimer_user_id IS NOT NULL)", name="claimer_when_claimed"
        ),
        Index("ix_wish_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    value_yuan: Mapped[int]
    # Stored for the community's staff; public pages and the API show ``resident_masked``.
    resident_name: Mapped[str] = mapped_column(String(20))
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    claimer_kind: Mapped[str | None] = mapped_column(String(10))
    claimer_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The claiming unit, or the unit a claiming member works for (counts per unit).
    claimer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    claimer_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fulfil_note: Mapped[str] = mapped_column(Text, default="")
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    thanks: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    community: Mapped[Community] = relationship()
    claimer_user: Mapped[User | None] = relationship(foreign_keys=[claimer_user_id])
    claimer_unit: Mapped[Unit | None] = relationship()
    claimer_member: Mapped["Member | None"] = relationship()

    @property
    def status_label(self) -> str:
        return WISH_STATUSES.get(self.status, self.status)

    @property
    def resident_masked(self) -> str:
        return mask_name(self.resident_name)

    @property
    def claimer_label(self) -> str:
        """Who claimed it, as the public may see it (a unit, or a unit's member masked)."""
        if self.claimer_kind == "unit" and self.claimer_unit is not None:
            return self.claimer_unit.name
        if self.claimer_kind == "member" and self.claimer_member is not None:
            unit = self.claimer_unit.name if self.claimer_unit is not None else ""
            return f"{unit} 党员 {mask_name(self.claimer_member.name)}".strip()
        return ""
