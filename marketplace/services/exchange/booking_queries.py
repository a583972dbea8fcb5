"""Read-only views of bookings: a day's taken slots, a unit's requests, a resident's look-up.

Re-exported by ``marketplace.services.exchange.bookings``; kept apart so that module holds the
transitions.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from marketplace.extensions import db
from marketplace.models import Booking, BookingSlot, Offer, User
from marketplace.models.bookings import BOOKING_STATUSES, SLOT_MINUTES
from marketplace.privacy import digits as _digits
from marketplace.services import audit, throttle
from marketplace.services.access import has_role, valid_id
from marketplace.services.fields import in_calendar
from marketplace.services.pagination import Page, paginate

# Facilities whose capacity counts things booked side by side (spaces, sets); a room or
# a ground is booked whole whatever its capacity in seats.
SHARED_KINDS = ("parking", "equipment")
# Failed look-ups one address may make per hour: enough for typos, too few to guess.
LOOKUPS_PER_HOUR = 20
_NOT_FOUND = "未找到该预约，请核对预约编号和联系电话。"


def lanes_of(offer: Offer) -> int:
    """Return how many bookings of ``offer`` may overlap (its spaces, or 1)."""
    if offer.facility_kind in SHARED_KINDS:
        return max(1, offer.capacity or 1)
    return 1


def incoming_page(actor: User, status: str | None = None, page: int = 1) -> Page:
    """Return the bookings of the actor's unit's facilities, soonest first."""
    if not has_role(actor, "unit") or actor.unit_id is None:
        raise Forbidden("只有驻区单位可以查看预约申请。")
    query = (
        select(Booking)
        .join(Booking.offer)
        .options(joinedload(Booking.offer))
        .where(Offer.unit_id == actor.unit_id)
        .order_by(Booking.starts_at, Booking.id)
    )
    if status in BOOKING_STATUSES:  # an unknown filter value shows everything
        query = query.where(Booking.status == status)
    return paginate(query, page, 20)


def schedule(offer_id: int, day: date) -> list[Booking]:
    """Return the accepted bookings of a facility on a county-time day (its availability)."""
    if not in_calendar(day):
        return []  # nothing is ever booked there (and year 1 cannot move to UTC)
    start, end = clock.day_bounds(day)
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.offer_id == offer_id,
                Booking.status == "accepted",
                Booking.starts_at < end,
                Booking.ends_at > start,
            )
            .order_by(Booking.starts_at)
        )
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def taken_periods(
    offer: Offer, starts_at: datetime, ends_at: datetime, quantity: int = 1
) -> list[tuple[datetime, datetime]]:
    """Return the UTC periods in [starts_at, ends_at) with fewer than ``quantity`` free lanes."""
    counts = db.session.execute(
        select(BookingSlot.slot_start, func.count())
        .where(
            BookingSlot.offer_id == offer.id,
            BookingSlot.slot_start >= starts_at,
            BookingSlot.slot_start < ends_at,
        )
        .group_by(BookingSlot.slot_start)
    ).all()
    lanes = lanes_of(offer)
    full = sorted(_aware(moment) for moment, taken in counts if lanes - taken < quantity)
    step = timedelta(minutes=SLOT_MINUTES)
    periods: list[tuple[datetime, datetime]] = []
    for moment in full:
        if periods and periods[-1][1] == moment:
            periods[-1] = (periods[-1][0], moment + step)
        else:
            periods.append((moment, moment + step))
    return periods


def _throttle_lookups() -> None:
    address = audit.client_address()
    if address and not throttle.hit(f"booking:lookup:{address}", LOOKUPS_PER_HOUR, 3600):
        raise TooManyRequests("查询次数过多，请一小时后再试。")


def lookup_booking(number, phone) -> Booking:
    """Return the booking with this number whose contact phone matches; else NotFound.

    A wrong number and a wrong phone get the same answer, so the look-up tells nobody
    whether a booking exists; failures are logged and limited per address.
    """
    _throttle_lookups()
    text = str(number or "").strip().lstrip("#")
    if not text.isdigit() or not valid_id(int(text)) or len(_digits(phone)) < 7:
        raise InvalidInput("请填写预约编号（数字）和预约时留下的联系电话。", field="number")
    booking = db.session.scalar(
        select(Booking).options(joinedload(Booking.offer)).where(Booking.id == int(text))
    )
    if booking is None or _digits(booking.requester_phone) != _digits(phone):
        audit.record("booking.lookup_failed", detail=f"预约编号 {text}")
        db.session.commit()
        raise NotFound(_NOT_FOUND)
    return booking
