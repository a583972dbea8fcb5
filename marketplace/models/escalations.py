"""Escalations (上报) of a need or an action item, community → township → county.

What a community cannot solve 「上报乡镇(开发区)党(工)委」; needs are matched
「通过统筹安排或主动认领」. At each level the escalation waits in a queue until it is
assigned to a unit (统筹安排), who accepts (a claim is made) or explains why not.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, partial_unique, utcnow
from marketplace.models.listings import Need
from marketplace.models.meetings import ActionItem
from marketplace.models.places import Community, Township, Unit

ESCALATION_LEVELS = {"township": "乡镇（街道）", "county": "县委组织部"}
ESCALATION_STATUSES = {
    "open": "待统筹",
    "assigned": "已指派，待单位答复",
    "resolved": "已解决",
    "withdrawn": "已撤回",
}
# An escalation still being handled; one per need or action item at a time.
ACTIVE_ESCALATION_STATUSES = ("open", "assigned")
_ACTIVE_SQL = enum_check("status", ACTIVE_ESCALATION_STATUSES)


class Escalation(db.Model):
    __tablename__ = "escalation"
    __table_args__ = (
        CheckConstraint(enum_check("level", ESCALATION_LEVELS), name="level"),
        CheckConstraint(enum_check("status", ESCALATION_STATUSES), name="status"),
        CheckConstraint(
            "(need_id IS NULL) != (action_item_id IS NULL)", name="need_xor_action_item"
        ),
        CheckConstraint(
            "status != 'assigned' OR assigned_unit_id IS NOT NULL", name="assigned_has_unit"
        ),
        partial_unique("uq_escalation_active_need", "need_id", where=_ACTIVE_SQL),
        partial_unique("uq_escalation_active_action_item", "action_item_id", where=_ACTIVE_SQL),
        Index("ix_escalation_level_status", "level", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id"), index=True)
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_item.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    level: Mapped[str] = mapped_column(String(20), default="township")
    status: Mapped[str] = mapped_column(String(20), default="open")
    reason: Mapped[str] = mapped_column(Text)
    county_reason: Mapped[str] = mapped_column(Text, default="")
    assigned_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unit_answer: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the escalation reached its current level: the queue's age counts from here.
    level_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    need: Mapped[Need | None] = relationship()
    action_item: Mapped[ActionItem | None] = relationship()
    community: Mapped[Community] = relationship()
    township: Mapped[Township] = relationship()
    assigned_unit: Mapped[Unit | None] = relationship()

    @property
    def level_label(self) -> str:
        return ESCALATION_LEVELS.get(self.level, self.level)

    @property
    def status_label(self) -> str:
        return ESCALATION_STATUSES.get(self.status, self.status)

    @property
    def subject(self) -> str:
        if self.need is not None:
            return self.need.title
        return self.action_item.title if self.action_item is not None else ""
