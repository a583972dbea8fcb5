"""Facility bookings: the public request form, and the owning unit's answers."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import Conflict, InvalidInput, NotFound
from marketplace.models.bookings import BOOKING_STATUSES
from marketplace.services.exchange import booking_series, bookings
from marketplace.web.actions import act
from marketplace.web.confirmation import confirm_first
from marketplace.web.exchange.booking_forms import AnswerForm, BookingForm, LookupForm, prefill

ANSWERED = {"accept": "已接受预约。", "decline": "已婉拒预约。", "cancel": "已取消预约。"}

bp = Blueprint("bookings", __name__, url_prefix="/bookings")
desk = Blueprint("booking_desk", __name__, url_prefix="/unit/bookings")
desk.before_request(page_guard("unit"))


def _requester():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.route("/new/<int:offer_id>", methods=["GET", "POST"])
def new(offer_id: int):
    offer = bookings.bookable_offer(offer_id)
    form = BookingForm(
        requester_name=getattr(current_user, "name", None),
        **prefill(request.args, bookings.next_open_day(offer)),
    )
    if form.validate_on_submit():
        try:
            sent = _send(form.to_request(), offer_id)
        except (InvalidInput, Conflict) as error:
            form.attach(error.field, error.message)
        else:
            return render_template("bookings/sent.html", offer=offer, **sent)
    day = form.day.data
    return render_template(
        "bookings/new.html",
        form=form,
        offer=offer,
        schedule=bookings.schedule(offer_id, day) if day else [],
        lanes=bookings.lanes_of(offer),
    ), 400 if form.errors else 200


def _send(data: dict, offer_id: int) -> dict:
    """Ask for one booking or a recurring series; return what the sent page shows."""
    if "repeat" in data:
        series = booking_series.request_series(_requester(), offer_id, data)
        return {"booking": series.bookings[0], "series": series}
    return {"booking": bookings.request_booking(_requester(), offer_id, data), "series": None}


@bp.route("/lookup", methods=["GET", "POST"])
def lookup():
    """Let a resident see a request by its number and phone (no account needed)."""
    form, booking, status = LookupForm(), None, 200
    if form.validate_on_submit():
        try:
            booking = bookings.lookup_booking(form.number.data, form.phone.data)
            form.phone.data = ""  # the page shows the phone masked, not as typed
        except (InvalidInput, NotFound) as error:
            form.number.errors = [*form.number.errors, error.message]
    if form.errors:
        status = 404 if request.method == "POST" and form.number.data else 400
    return render_template("bookings/lookup.html", form=form, booking=booking), status


@desk.route("/")
def incoming():
    status = request.args.get("status") or None
    page = bookings.incoming_page(current_user, status, request.args.get("page", 1, type=int))
    return render_template(
        "bookings/incoming.html",
        page=page,
        status=status,
        statuses=BOOKING_STATUSES,
        form=AnswerForm(),
        waiting_series=booking_series.series_of_unit(current_user),
    )


@desk.route("/series/<int:series_id>/<action>", methods=["POST"])
@confirm_first
def answer_series(series_id: int, action: str):
    form = AnswerForm()
    form.validate()
    return act(
        lambda: booking_series.answer_series(current_user, series_id, action, form.note.data or ""),
        "已答复整组重复预约。",
        target=url_for("booking_desk.incoming"),
        back=url_for("booking_desk.incoming"),
    )


@desk.route("/<int:booking_id>/<action>", methods=["POST"])
@confirm_first
def answer(booking_id: int, action: str):
    form = AnswerForm()
    form.validate()
    incoming = url_for("booking_desk.incoming", status=request.args.get("status"))
    return act(
        lambda: bookings.answer_booking(current_user, booking_id, action, form.note.data or ""),
        ANSWERED.get(action, "已处理。"),
        target=incoming,
        back=incoming,
    )
