"""Recurring bookings: the same room every week, or on the same weekday of every month.

A series is asked for as a whole and answered as a whole. Every occurrence is checked
before anything is saved: if any date is closed or already taken the request is refused
with the dates listed, and nothing is kept (all or none). Accepting takes every
occurrence's slots in one transaction, so a clash on one date accepts none. Each
occurrence stays an ordinary booking that can be cancelled alone.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import Booking, BookingSeries, User
from marketplace.models.bookings import SERIES_RULES
from marketplace.services import audit
from marketplace.services.access import require_owner, valid_id
from marketplace.services.exchange import bookings
from marketplace.services.exchange.booking_queries import taken_periods
from marketplace.services.fields import BOOKING
from marketplace.services.notifications import notify, staff_of

MAX_OCCURRENCES = 12
# A monthly series runs up to a year ahead; its first date keeps the one-off horizon.
SERIES_HORIZON_DAYS = 370
WEEKDAYS = "一二三四五六日"


def parse_repeat(raw) -> tuple[str, int]:
    """Return ``(every, count)`` from ``{"every": "week"|"month_weekday", "count": N}``."""
    if not isinstance(raw, Mapping):
        raise InvalidInput('重复规则应为 {"every": …, "count": …}。', field="repeat")
    every = raw.get("every")
    if every not in SERIES_RULES:
        raise InvalidInput(
            "重复方式只能是每周（week）或每月同一周的同一天（month_weekday）。", field="repeat"
        )
    count = raw.get("count")
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool) or not 2 <= count <= MAX_OCCURRENCES:
        raise InvalidInput(f"重复次数应在 2 到 {MAX_OCCURRENCES} 之间。", field="repeat")
    return every, count


def _nth_weekday(year: int, month: int, weekday: int, nth: int):
    first = datetime(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return (first + timedelta(days=offset + 7 * (nth - 1))).date()


def occurrence_days(first_day, every: str, count: int) -> list:
    """Return the dates of a series starting on ``first_day`` (county dates)."""
    if every == "week":
        return [first_day + timedelta(weeks=i) for i in range(count)]
    nth = (first_day.day - 1) // 7 + 1
    if nth > 4:
        raise InvalidInput(
            "每月第五个星期几并非每月都有：请改为每周重复，或选择每月前四周的日期。",
            field="repeat",
        )
    days = []
    for i in range(count):
        month_index = first_day.month - 1 + i
        year, month = first_day.year + month_index // 12, month_index % 12 + 1
        days.append(_nth_weekday(year, month, first_day.weekday(), nth))
    return days


def rule_label(first_day, every: str) -> str:
    """Word a series' rule: 每周五, or 每月第一周周五."""
    weekday = WEEKDAYS[first_day.weekday()]
    if every == "week":
        return f"每周{weekday}"
    return f"每月第{'一二三四'[(first_day.day - 1) // 7]}个周{weekday}"


def _periods(values: bookings.BookingInput, every: str, count: int) -> list[tuple]:
    start, end = clock.local(values.starts_at), clock.local(values.ends_at)
    periods = []
    for day in occurrence_days(start.date(), every, count):
        shift = day - start.date()
        periods.append((start + shift, end + shift))
    return periods


def plan_series(offer, values: bookings.BookingInput, every: str, count: int) -> list[tuple]:
    """Return every occurrence's (local start, local end); refuse closed or taken dates."""
    periods = _periods(values, every, count)
    horizon = clock.today() + timedelta(days=SERIES_HORIZON_DAYS)
    closed = [
        start.date()
        for start, end in periods
        if start.date() > horizon or not bookings._within_opening(offer, start, end)
    ]
    if closed:
        dates = "、".join(f"{day:%Y-%m-%d}" for day in closed)
        raise InvalidInput(f"以下日期不在开放时间内或超出一年：{dates}。", field="repeat")
    taken = [
        start.date()
        for start, end in periods
        if taken_periods(offer, start.astimezone(UTC), end.astimezone(UTC), values.quantity)
    ]
    if taken:
        dates = "、".join(f"{day:%Y-%m-%d}" for day in taken)
        raise Conflict(
            f"以下日期的该时段已被预订：{dates}。整组预约未保存，请调整时间或重复次数。",
            field="repeat",
        )
    return periods


def request_series(requester: User | None, offer_id: int, data: Mapping) -> BookingSeries:
    """Ask for a recurring booking; every occurrence is free and open, or nothing is saved."""
    series = add_series_request(requester, offer_id, data)
    db.session.commit()
    return series


def add_series_request(requester: User | None, offer_id: int, data: Mapping) -> BookingSeries:
    """Add a recurring booking request, uncommitted (a monthly event books its room so)."""
    offer = bookings.bookable_offer(offer_id)
    if requester is None:
        raise Forbidden("重复预约请先登录。")
    values = bookings.parse_booking(offer, data, requester)
    every, count = parse_repeat(data.get("repeat"))
    periods = plan_series(offer, values, every, count)
    series = BookingSeries(offer=offer, every=every, occurrences=count)
    for start, end in periods:
        occurrence = replace(values, starts_at=start.astimezone(UTC), ends_at=end.astimezone(UTC))
        series.bookings.append(
            Booking(
                offer=offer,
                requester_user_id=requester.id,
                status="requested",
                **occurrence.__dict__,
            )
        )
    db.session.add(series)
    db.session.flush()
    first = clock.local(values.starts_at)
    label = rule_label(first.date(), every)
    audit.record(
        "booking.series_requested",
        actor=requester,
        obj=series,
        after={"every": every, "count": count, "first": first.date().isoformat()},
        detail=f"{offer.title}：{label}，共 {count} 次",
    )
    notify(
        staff_of(unit_id=offer.unit_id),
        "booking.requested",
        f"{values.requester_name} 申请重复预约“{offer.title}”"
        f"（{label} {first:%H:%M}，共 {count} 次）。",
        bookings.DESK_URL,
    )
    return series


def get_series(series_id) -> BookingSeries:
    """Return a booking series, or raise NotFound."""
    series = db.session.get(BookingSeries, series_id) if valid_id(series_id) else None
    if series is None:
        raise NotFound("重复预约不存在。")
    return series


def answer_series(actor: User, series_id, action: str, note: str = "") -> BookingSeries:
    """Accept or decline every still-requested occurrence at once (the owning unit)."""
    series = get_series(series_id)
    if action not in ("accept", "decline"):
        raise InvalidInput(f"未知操作：{action}")
    waiting = [item for item in series.bookings if item.status == "requested"]
    if not waiting:
        raise Conflict("该组预约已答复过了。")
    require_owner(actor, waiting[0], "只有场地所属单位可以答复预约。")
    target = "accepted" if action == "accept" else "declined"
    clashes = []
    for booking in waiting:
        bookings._move(booking, ("requested",), target)
        booking.answer_note = (note or "")[: BOOKING["answer_note"].max_length]
        if target == "accepted":
            try:
                bookings._take_slots(booking)
            except Conflict:
                clashes.append(clock.local(booking.starts_at).date())
    if clashes:
        db.session.rollback()  # all or none: no occurrence is accepted
        dates = "、".join(f"{day:%Y-%m-%d}" for day in clashes)
        raise Conflict(f"以下日期已被其他预约占用：{dates}，整组未接受；可逐个答复其余日期。")
    audit.record(
        "booking.series_accepted" if target == "accepted" else "booking.series_declined",
        actor=actor,
        obj=series,
        after={"status": target, "occurrences": len(waiting)},
    )
    bookings._settle_requests(series.offer.unit_id)
    requester_id = waiting[0].requester_user_id
    if requester_id and requester_id != actor.id:
        verb = "已接受" if target == "accepted" else "已婉拒"
        notify(
            [db.session.get(User, requester_id)],
            f"booking.{target}",
            f"您对“{series.offer.title}”的重复预约（共 {len(waiting)} 次）{verb}。",
            f"/offers/{series.offer_id}",
        )
    db.session.commit()
    return series


def series_of_unit(actor: User) -> list[BookingSeries]:
    """Return the series on the actor's unit's facilities with occurrences awaiting an answer."""
    from marketplace.models import Offer

    if actor.unit_id is None:
        return []
    query = (
        select(BookingSeries)
        .join(Offer, Offer.id == BookingSeries.offer_id)
        .where(
            Offer.unit_id == actor.unit_id,
            BookingSeries.id.in_(select(Booking.series_id).where(Booking.status == "requested")),
        )
        .order_by(BookingSeries.id)
    )
    return list(db.session.scalars(query))
