"""Funds and materials on the record: a ledger of entries, never a stored balance.

Four kinds of entry: a unit's yearly pledge to its paired community, a unit's
contribution (money, or materials with their value) to a community or one of its
projects, a community's budget line (工作经费, by source) and its spending. Every entry
says who entered it, when and why; a mistake is put right by a reversing entry (the
opposite amount, pointing at the one it reverses), so nothing is edited or deleted.
Totals and balances are sums over the entries (``services/funds/fund_totals.py``).

Amounts are whole fen (分): no float ever holds money. Spending above the approval
threshold waits for the township (``pending``) and counts only once ``approved``.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.accounts import User
from marketplace.models.claims import Claim
from marketplace.models.places import Community, Unit

FUND_KINDS = {
    "pledge": "帮扶承诺",
    "contribution": "帮扶到位",
    "budget": "工作经费",
    "spending": "经费支出",
}
BUDGET_SOURCES = {
    "finance": "财政",
    "department": "部门帮扶",
    "transfer": "费随事转",
    "party_fee": "党费",
    "donation": "捐赠",
}
ENTRY_STATUSES = {"counted": "已入账", "pending": "待乡镇审批", "refused": "未获批准"}
UNIT_KINDS_SQL = "kind IN ('pledge', 'contribution')"


class FundEntry(db.Model):
    """One entry of the funds ledger; a correction is another entry reversing it."""

    __tablename__ = "fund_entry"
    __table_args__ = (
        CheckConstraint(enum_check("kind", FUND_KINDS), name="kind"),
        CheckConstraint(enum_check("status", ENTRY_STATUSES), name="status"),
        CheckConstraint("source IS NULL OR " + enum_check("source", BUDGET_SOURCES), name="source"),
        # Pledges and contributions name their unit; budget lines name their source.
        CheckConstraint(f"({UNIT_KINDS_SQL}) = (unit_id IS NOT NULL)", name="unit_kinds"),
        CheckConstraint("(kind = 'budget') = (source IS NOT NULL)", name="budget_source"),
        # An entry is positive; only a reversal is negative, and it reverses one entry.
        CheckConstraint(
            "(reverses_id IS NULL AND amount_fen > 0)"
            " OR (reverses_id IS NOT NULL AND amount_fen < 0)",
            name="amount_sign",
        ),
        CheckConstraint("status = 'counted' OR reverses_id IS NULL", name="reversal_counted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    materials: Mapped[str] = mapped_column(String(200), default="")
    project: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text)
    entry_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="counted")
    # A reversal is unique per entry: two racing corrections cannot both reverse it.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    community: Mapped[Community] = relationship()
    unit: Mapped[Unit | None] = relationship()
    claim: Mapped[Claim | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    reverses: Mapped["FundEntry | None"] = relationship(
        remote_side=[id], foreign_keys=[reverses_id], back_populates="reversed_by"
    )
    reversed_by: Mapped["FundEntry | None"] = relationship(
        foreign_keys=[reverses_id], back_populates="reverses", uselist=False
    )

    @property
    def kind_label(self) -> str:
        return FUND_KINDS.get(self.kind, self.kind)

    @property
    def source_label(self) -> str:
        return BUDGET_SOURCES.get(self.source, "") if self.source else ""

    @property
    def status_label(self) -> str:
        return ENTRY_STATUSES.get(self.status, self.status)

    @property
    def in_materials(self) -> bool:
        return bool(self.materials)
