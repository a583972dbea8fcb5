"""Pair activities (对接活动): units and communities log and confirm what their pairs did."""

from flask import Blueprint, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.models.pair_activities import ACTIVITY_KINDS
from marketplace.services.access import pair_side
from marketplace.services.attachments.attachments import evidence_counts, evidence_required
from marketplace.services.oversight import pair_activities
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.web.exchange.marketplace_helpers import act, page_args
from marketplace.web.oversight.oversight_helpers import me, submit

bp = Blueprint("pair_activities", __name__, url_prefix="/pair-activities")
bp.before_request(page_guard("unit", "community"))


def _context() -> dict:
    actor = me()
    page, per_page = page_args()
    listed = pair_activities.activities_page(actor, page, per_page)
    return {
        "page": listed,
        "evidence": evidence_counts("pair_activity", [item.id for item in listed.items]),
        "photo_required": evidence_required("pair_activity"),
        "pairs": pair_activities.loggable_pairs(actor),
        "kinds": ACTIVITY_KINDS,
        "today": county_today(),
        "side": pair_side(actor),
    }


@bp.route("/")
def index():
    return render_template("pair_activities/index.html", errors={}, values={}, **_context())


@bp.route("/", methods=["POST"])
def log():
    data = request.form.to_dict()
    return submit(
        lambda: pair_activities.log_activity(me(), data),
        "对接活动已登记，等待对方确认。",
        url_for(".index"),
        template="pair_activities/index.html",
        context=_context(),
    )


@bp.route("/<int:activity_id>/confirm", methods=["POST"])
def confirm(activity_id: int):
    return act(
        lambda: pair_activities.confirm_activity(me(), activity_id),
        "已确认该对接活动。",
        target=lambda _: url_for(".index"),
    )
