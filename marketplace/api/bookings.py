"""Facility bookings: ask (any token), see a day's accepted slots (anyone), answer (owner)."""

from flask import jsonify

from marketplace import clock
from marketplace.api import api_bp
from marketplace.api.common import date_arg, json_body, optional_json_body
from marketplace.auth import api_login_required, api_user
from marketplace.models import Booking
from marketplace.services.exchange import bookings


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


@api_bp.post("/offers/<int:offer_id>/bookings")
@api_login_required()
def request_booking(offer_id: int):
    booking = bookings.request_booking(api_user(), offer_id, json_body())
    return jsonify(booking_json(booking)), 201


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
