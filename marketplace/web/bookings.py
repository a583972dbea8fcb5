"""Facility bookings: the public request form, and the owning unit's answers."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import require_role
from marketplace.errors import DomainError, InvalidInput
from marketplace.models.bookings import BOOKING_STATUSES
from marketplace.services import bookings
from marketplace.web.booking_forms import AnswerForm, BookingForm
from marketplace.web.confirmation import confirm_first

ANSWERED = {"accept": "已接受预约。", "decline": "已婉拒预约。", "cancel": "已取消预约。"}

bp = Blueprint("bookings", __name__, url_prefix="/bookings")
desk = Blueprint("booking_desk", __name__, url_prefix="/unit/bookings")
desk.before_request(require_role("unit"))


def _requester():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.route("/new/<int:offer_id>", methods=["GET", "POST"])
def new(offer_id: int):
    offer = bookings.bookable_offer(offer_id)
    form = BookingForm(
        requester_name=getattr(current_user, "name", None), day=bookings.next_open_day(offer)
    )
    if form.validate_on_submit():
        try:
            booking = bookings.request_booking(_requester(), offer_id, form.to_request())
        except InvalidInput as error:
            form.attach(error.field, error.message)
        else:
            return render_template("bookings/sent.html", booking=booking, offer=offer)
    schedule = bookings.schedule(offer_id, form.day.data) if form.day.data else []
    status = 400 if form.errors else 200
    return render_template(
        "bookings/new.html",
        form=form,
        offer=offer,
        schedule=schedule,
        lanes=bookings.lanes_of(offer),
    ), status


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
    )


@desk.route("/<int:booking_id>/<action>", methods=["POST"])
@confirm_first
def answer(booking_id: int, action: str):
    form = AnswerForm()
    form.validate()
    actor = current_user._get_current_object()
    try:
        bookings.answer_booking(actor, booking_id, action, form.note.data or "")
    except DomainError as error:
        if error.status == 403:
            raise
        flash(error.message, "danger")
    else:
        flash(ANSWERED.get(action, "已处理。"), "success")
    return redirect(url_for("booking_desk.incoming", status=request.args.get("status")))
