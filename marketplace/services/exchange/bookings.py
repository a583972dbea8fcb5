"""Facility bookings: requested → accepted | declined | cancelled.

An accepted booking holds one ``BookingSlot`` row per half-hour slot and lane, and the
database refuses a second row for the same (facility, slot, lane). Two answers racing
for the last free lane therefore cannot both win, on SQLite or PostgreSQL: the loser's
insert fails, it looks again and finds the slot taken.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from marketplace.extensions import db
from marketplace.models import Booking, BookingSlot, Offer, User
from marketplace.models.bookings import SLOT_MINUTES
from marketplace.services import audit, throttle
from marketplace.services.access import can_see_booking, is_self, require_owner
from marketplace.services.exchange.booking_queries import (  # noqa: F401  (part of this module's API)
    LOOKUPS_PER_HOUR,
    SHARED_KINDS,
    incoming_page,
    lanes_of,
    lookup_booking,
    schedule,
    taken_periods,
)
from marketplace.services.fields import BOOKING, in_calendar
from marketplace.services.notifications import notify, settle, staff_of
from marketplace.services.notify import resident_sms

HORIZON_DAYS = 90
MAX_HOURS = 12
PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{7,20}$")
LAST_SLOT_RETRIES = 3
# Anonymous requests one address may make per hour (residents rarely need more).
ANONYMOUS_PER_HOUR = 10
DESK_URL = "/unit/bookings/"  # where a unit answers its booking requests


@dataclass(frozen=True)
class BookingInput:
    starts_at: datetime  # UTC
    ends_at: datetime
    quantity: int
    requester_name: str
    requester_phone: str
    purpose: str


def _local_moment(value, field: str) -> datetime:
    """Parse a China-time moment ("YYYY-MM-DD HH:MM" or ISO) and return it in UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip().replace("T", " ")
        try:
            moment = datetime.strptime(text[:16], "%Y-%m-%d %H:%M")
        except ValueError:
            raise InvalidInput("请填写正确的时间，格式如 2026-12-01 09:00。", field=field) from None
    if not in_calendar(moment.date()):
        raise InvalidInput("请填写正确的时间，格式如 2026-12-01 09:00。", field=field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.zone())
    return moment.astimezone(UTC)


def _text(data: Mapping, key: str) -> str:
    value = data.get(key)
    return str(value).strip()[: BOOKING[key].max_length] if value is not None else ""


def parse_booking(offer: Offer, data: Mapping, requester: User | None) -> BookingInput:
    """Validate a booking request against the facility; raise InvalidInput per field."""
    starts_at = _local_moment(data.get("starts_at"), "starts_at")
    ends_at = _local_moment(data.get("ends_at"), "ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("结束时间必须晚于开始时间。", field="ends_at")
    if starts_at.minute % SLOT_MINUTES or ends_at.minute % SLOT_MINUTES:
        raise InvalidInput(
            f"预约以 {SLOT_MINUTES} 分钟为单位，请选择整点或半点。", field="starts_at"
        )
    if ends_at - starts_at > timedelta(hours=MAX_HOURS):
        raise InvalidInput(f"单次预约不超过 {MAX_HOURS} 小时。", field="ends_at")
    now = clock.utcnow()
    if starts_at < now:
        raise InvalidInput("不能预约已经过去的时间。", field="starts_at")
    if starts_at > now + timedelta(days=HORIZON_DAYS):
        raise InvalidInput(f"只能预约 {HORIZON_DAYS} 天以内的时间。", field="starts_at")
    local_start, local_end = clock.local(starts_at), clock.local(ends_at)
    if local_start.date() != (local_end - timedelta(microseconds=1)).date():
        raise InvalidInput("预约须在同一天内开始和结束。", field="ends_at")
    if not _within_opening(offer, local_start, local_end):
        raise InvalidInput(f"不在开放时间内（{offer.opening_label}）。", field="starts_at")

    try:
        quantity = int(data.get("quantity") or 1)
    except (TypeError, ValueError):
        raise InvalidInput("数量必须是整数。", field="quantity") from None
    lanes = lanes_of(offer)
    if not 1 <= quantity <= lanes:
        raise InvalidInput(f"数量应在 1 到 {lanes} 之间。", field="quantity")

    name = _text(data, "requester_name") or (requester.name if requester else "")
    phone = _text(data, "requester_phone") or (requester.phone if requester else "")
    if not name:
        raise InvalidInput("请填写联系人姓名。", field="requester_name")
    if not PHONE_PATTERN.match(phone):
        raise InvalidInput("请填写正确的联系电话。", field="requester_phone")
    purpose = _text(data, "purpose")
    if not purpose:
        raise InvalidInput("请简要说明用途。", field="purpose")
    return BookingInput(starts_at, ends_at, quantity, name, phone, purpose)


def _within_opening(offer: Offer, local_start: datetime, local_end: datetime) -> bool:
    if not offer.is_open_at(local_start.weekday(), local_start.time()):
        return False
    closing = offer.open_until
    last_moment = (local_end - timedelta(minutes=1)).time()
    return closing is None or last_moment < closing


def _load_offer(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.kind != "facility" or offer.status != "published":
        raise NotFound("该场地设施不存在或暂不开放预约。")
    return offer


def next_open_day(offer: Offer, today: date | None = None) -> date:
    """Return the first day from ``today`` on which the facility opens (the form's default)."""
    today = today or clock.today()
    for ahead in range(7):
        day = today + timedelta(days=ahead)
        if offer.open_weekdays & (1 << day.weekday()):
            return day
    return today


def bookable_offer(offer_id: int) -> Offer:
    """Return a published facility that can be asked for, or raise NotFound."""
    return _load_offer(offer_id)


def request_booking(requester: User | None, offer_id: int, data: Mapping) -> Booking:
    """Ask to book a facility; anyone may ask for a public one, staff for any."""
    booking = add_booking_request(requester, offer_id, data)
    db.session.commit()
    return booking


def add_booking_request(requester: User | None, offer_id: int, data: Mapping) -> Booking:
    """Add a booking request and its notice, uncommitted (a meeting books its room so)."""
    offer = _load_offer(offer_id)
    if not offer.is_public and requester is None:
        raise Forbidden("该场地仅对本县工作人员开放，请先登录。")
    values = parse_booking(offer, data, requester)
    if requester is None:
        _throttle_anonymous()
    values = parse_booking(offer, data, requester)
    _refuse_taken(offer, values)
    booking = Booking(
        offer=offer,
        requester_user_id=requester.id if requester else None,
        status="requested",
        **values.__dict__,
    )
    db.session.add(booking)
    db.session.flush()
    audit.record("booking.requested", actor=requester, obj=booking, after=_state(booking))
    notify(
        staff_of(unit_id=offer.unit_id),
        "booking.requested",
        f"{values.requester_name} 申请预约“{offer.title}”（{_period(booking)}）。",
        DESK_URL,
    )
    return booking


def _refuse_taken(offer: Offer, values: BookingInput) -> None:
    """Refuse at request time a period whose slots accepted bookings already fill."""
    clashes = taken_periods(offer, values.starts_at, values.ends_at, values.quantity)
    if clashes:
        times = "、".join(f"{clock.local(a):%H:%M}-{clock.local(b):%H:%M}" for a, b in clashes)
        raise Conflict(f"所选时段已被预订（{times} 已约满），请选择其他时间。", field="starts_at")


def _throttle_anonymous() -> None:
    """Refuse an address past its hourly allowance of anonymous requests (atomically)."""
    address = audit.client_address()
    if not address:  # not a web request (command line, import, tests of the service)
        return
    if not throttle.hit(f"booking:anonymous:{address}", ANONYMOUS_PER_HOUR, 3600):
        raise TooManyRequests("预约申请过于频繁，请一小时后再试，或登录后申请。")


def _state(booking: Booking) -> dict:
    return audit.snapshot(booking, "status", "starts_at", "ends_at", "quantity")


def _period(booking: Booking) -> str:
    start, end = clock.local(booking.starts_at), clock.local(booking.ends_at)
    return f"{start:%m-%d %H:%M}-{end:%H:%M}"


def _owned_booking(actor: User, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("预约记录不存在。")
    return require_owner(actor, booking, "只有场地所属单位可以答复预约。")


def _slot_starts(booking: Booking) -> list[datetime]:
    start = booking.starts_at.replace(tzinfo=booking.starts_at.tzinfo or UTC)
    end = booking.ends_at.replace(tzinfo=booking.ends_at.tzinfo or UTC)
    step = timedelta(minutes=SLOT_MINUTES)
    return [start + step * i for i in range(int((end - start) / step))]


def _take_slots(booking: Booking) -> None:
    """Insert the booking's slot rows on free lanes, or raise Conflict when full."""
    # Answers for one facility queue on its row (PostgreSQL; SQLite's BEGIN IMMEDIATE
    # already serialises writers); the unique slot key stays the guarantee.
    db.session.execute(select(Offer.id).where(Offer.id == booking.offer_id).with_for_update())
    lanes = lanes_of(booking.offer)
    starts = _slot_starts(booking)
    for _ in range(LAST_SLOT_RETRIES):
        taken = set(
            db.session.execute(
                select(BookingSlot.slot_start, BookingSlot.lane).where(
                    BookingSlot.offer_id == booking.offer_id, BookingSlot.slot_start.in_(starts)
                )
            ).all()
        )
        taken = {(moment.replace(tzinfo=moment.tzinfo or UTC), lane) for moment, lane in taken}
        rows = []
        for moment in starts:
            free = [lane for lane in range(lanes) if (moment, lane) not in taken]
            if len(free) < booking.quantity:
                raise Conflict("该时段已被预订，请选择其他时间。")
            rows += [
                BookingSlot(
                    offer_id=booking.offer_id, booking_id=booking.id, slot_start=moment, lane=lane
                )
                for lane in free[: booking.quantity]
            ]
        try:
            with db.session.begin_nested():
                db.session.add_all(rows)
        except IntegrityError:
            continue  # another answer took a lane meanwhile: look again
        return
    raise Conflict("该时段已被预订，请选择其他时间。")


def _move(booking: Booking, source: tuple[str, ...], target: str) -> None:
    """Change the status only if it is still one of ``source`` (one statement)."""
    changed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(source))
        .values(status=target)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.refresh(booking)
        raise Conflict(f"该预约当前为“{booking.status_label}”，不能再执行此操作。")
    db.session.refresh(booking)


def accept_booking(actor: User, booking_id: int, note: str = "") -> Booking:
    """Accept a requested booking if its slots are still free (owning unit only)."""
    booking = _owned_booking(actor, booking_id)
    before = _state(booking)
    _move(booking, ("requested",), "accepted")
    try:
        _take_slots(booking)
    except Conflict:
        db.session.rollback()  # the status change above must not outlive the refusal
        raise
    booking.answer_note = (note or "")[: BOOKING["answer_note"].max_length]
    _finish(actor, booking, "booking.accepted", before, "已接受")
    return booking


def decline_booking(actor: User, booking_id: int, note: str = "") -> Booking:
    """Decline a requested booking (owning unit only)."""
    booking = _owned_booking(actor, booking_id)
    before = _state(booking)
    _move(booking, ("requested",), "declined")
    booking.answer_note = (note or "")[: BOOKING["answer_note"].max_length]
    _finish(actor, booking, "booking.declined", before, "已婉拒")
    return booking


def cancel_booking(actor: User, booking_id: int) -> Booking:
    """Cancel a requested or accepted booking: its requester or the owning unit."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("预约记录不存在。")
    if not can_see_booking(actor, booking):
        raise Forbidden("只能取消自己的预约或本单位场地的预约。")
    before = _state(booking)
    _move(booking, ("requested", "accepted"), "cancelled")
    db.session.execute(delete(BookingSlot).where(BookingSlot.booking_id == booking.id))
    _finish(actor, booking, "booking.cancelled", before, "已取消")
    return booking


def answer_booking(actor: User, booking_id: int, action: str, note: str = "") -> Booking:
    """Apply the owning unit's answer: ``accept``, ``decline`` or ``cancel``."""
    if action == "accept":
        return accept_booking(actor, booking_id, note)
    if action == "decline":
        return decline_booking(actor, booking_id, note)
    if action == "cancel":
        return cancel_booking(actor, booking_id)
    raise InvalidInput(f"未知操作：{action}")


def _settle_requests(unit_id: int) -> None:
    """Once none of the unit's bookings awaits an answer, its request notices are read."""
    db.session.flush()
    waiting = db.session.scalar(
        select(Booking.id)
        .join(Offer, Offer.id == Booking.offer_id)
        .where(Offer.unit_id == unit_id, Booking.status == "requested")
        .limit(1)
    )
    if waiting is None:
        settle(staff_of(unit_id=unit_id), DESK_URL, "booking.requested")


def _finish(actor: User, booking: Booking, action: str, before: dict, verb: str) -> None:
    audit.record(action, actor=actor, obj=booking, before=before, after=_state(booking))
    _settle_requests(booking.offer.unit_id)
    if booking.requester_user_id and not is_self(actor, booking.requester_user_id):
        requester = db.session.get(User, booking.requester_user_id)
        notify(
            [requester],
            action,
            f"您对“{booking.offer.title}”的预约（{_period(booking)}）{verb}。",
            f"/offers/{booking.offer_id}",
        )
    resident_sms.booking_answered(booking, verb)
    db.session.commit()
