"""Bookings of facilities by residents or staff.

Overlap is prevented portably with slot rows: an accepted booking holds one row per
half-hour slot and lane, and (offer, slot, lane) is unique. A meeting room has one
lane; a parking lot has one lane per space.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow
from marketplace.models.listings import Offer

BOOKING_STATUSES = {
    "requested": "待答复",
    "accepted": "已接受",
    "declined": "已婉拒",
    "cancelled": "已取消",
}
SLOT_MINUTES = 30
SERIES_RULES = {"week": "每周", "month_weekday": "每月同一周的同一天"}


class BookingSeries(db.Model):
    """Recurring bookings asked together (the monthly 主题党日): answered once, as a whole."""

    __tablename__ = "booking_series"
    __table_args__ = (
        CheckConstraint(enum_check("every", SERIES_RULES), name="every"),
        CheckConstraint("occurrences BETWEEN 2 AND 12", name="occurrences_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    every: Mapped[str] = mapped_column(String(20))
    occurrences: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    offer: Mapped[Offer] = relationship()
    bookings: Mapped[list["Booking"]] = relationship(
        back_populates="series", order_by="Booking.starts_at"
    )

    @property
    def every_label(self) -> str:
        return SERIES_RULES.get(self.every, self.every)


class Booking(db.Model):
    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period_ordered"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(enum_check("status", BOOKING_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requester_name: Mapped[str] = mapped_column(String(40))
    requester_phone: Mapped[str] = mapped_column(String(30), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    quantity: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    answer_note: Mapped[str] = mapped_column(Text, default="")
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    offer: Mapped[Offer] = relationship()
    series: Mapped[BookingSeries | None] = relationship(back_populates="bookings")

    @property
    def status_label(self) -> str:
        return BOOKING_STATUSES.get(self.status, self.status)


class BookingSlot(db.Model):
    __tablename__ = "booking_slot"
    __table_args__ = (
        UniqueConstraint("offer_id", "slot_start", "lane", name="uq_booking_slot_offer_slot_lane"),
        CheckConstraint("lane >= 0", name="lane_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"), index=True)
    slot_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lane: Mapped[int] = mapped_column(default=0)
