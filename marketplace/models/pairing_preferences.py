"""What a community asks of the next pairing run: units to keep or to gain."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.places import Community, Unit

PREFERENCE_KINDS = {"keep": "希望保留", "gain": "希望新增"}


class PairingPreference(db.Model):
    """One unit a community wants to keep (a current pair) or gain (a new one)."""

    __tablename__ = "pairing_preference"
    __table_args__ = (
        UniqueConstraint("community_id", "unit_id", name="uq_pairing_preference_community_unit"),
        CheckConstraint(enum_check("kind", PREFERENCE_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    community: Mapped[Community] = relationship()
    unit: Mapped[Unit] = relationship()

    @property
    def kind_label(self) -> str:
        return PREFERENCE_KINDS.get(self.kind, self.kind)
