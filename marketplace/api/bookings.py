"""Facility bookings: ask once or as a series (any token), see a day's slots, answer (owner)."""

from flask import jsonify

from marketplace import clock
from marketplace.api import api_bp
from marketplace.api.common import date_arg, json_body, optional_json_body
from marketplace.auth import api_login_required, api_user
from marketplace.models import Booking, BookingSeries
from marketplace.services.exchange import booking_series, bookings


def booking_json(booking: Booking, *, private: bool = True) -> dict:
    """Return a booking as JSON; availability views leave the requester out."""
    data = {
        "id": booking.id,
        "offer_id": booking.offer_id,
        "starts_at": clock.local(booking.starts_at).isoformat(timespec="minutes"),
        "ends_at": clock.local(booking.ends_at).isoformat(timespec="minutes"),
        "quantity": booking.quantity,
        "status": booking.status,
        "status_label": booking.status_label,
    }
    if private:
        data.update(
            requester_name=booking.requester_name,
            requester_phone=booking.requester_phone,
            purpose=booking.purpose,
            answer_note=booking.answer_note,
        )
    return data


def series_json(series: BookingSeries) -> dict:
    """Return a recurring booking with each of its occurrences."""
    first = clock.local(series.bookings[0].starts_at).date()
    return {
        "id": series.id,
        "offer_id": series.offer_id,
        "every": series.every,
        "rule_label": booking_series.rule_label(first, series.every),
        "count": series.occurrences,
        "bookings": [booking_json(item) for item in series.bookings],
    }


@api_bp.post("/offers/<int:offer_id>/bookings")
@api_login_required()
def request_booking(offer_id: int):
    body = json_body()
    if body.get("repeat") is not None:
        series = booking_series.request_series(api_user(), offer_id, body)
        return jsonify(series=series_json(series), bookings=series_json(series)["bookings"]), 201
    booking = bookings.request_booking(api_user(), offer_id, body)
    return jsonify(booking_json(booking)), 201


@api_bp.post("/booking-series/<int:series_id>/<action>")
@api_login_required("unit")
def answer_series(series_id: int, action: str):
    note = str(optional_json_body().get("note", "") or "")
    series = booking_series.answer_series(api_user(), series_id, action, note)
    return jsonify(series_json(series))


@api_bp.get("/offers/<int:offer_id>/bookings")
def day_schedule(offer_id: int):
    day = date_arg("date", clock.today())
    bookings.bookable_offer(offer_id)
    accepted = bookings.schedule(offer_id, day)
    return jsonify(
        date=day.isoformat(), results=[booking_json(item, private=False) for item in accepted]
    )


@api_bp.post("/bookings/<int:booking_id>/<action>")
@api_login_required()
def answer_booking(booking_id: int, action: str):
    note = optional_json_body().get("note", "")
    booking = bookings.answer_booking(api_user(), booking_id, action, str(note or ""))
    return jsonify(booking_json(booking))
