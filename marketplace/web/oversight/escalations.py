"""Escalations (上报与统筹安排): each role's queue and the moves on an escalation."""

from flask import Blueprint, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.services.oversight import escalation_queues, escalations
from marketplace.services.oversight.oversight_scope import actor_community_ids
from marketplace.web.exchange.marketplace_helpers import act, page_args
from marketplace.web.oversight.oversight_helpers import me

bp = Blueprint("escalations", __name__, url_prefix="/escalations")
bp.before_request(page_guard("community", "township", "reviewer", "unit"))


def _back(_=None) -> str:
    return url_for(".index")


@bp.route("/")
def index():
    page, per_page = page_args()
    active_only = request.args.get("all") != "1"
    result = escalation_queues.queue_page(
        me(), active_only=active_only, page=page, per_page=per_page
    )
    suggested = []
    if me().role != "unit":
        suggested = escalation_queues.stale_needs(actor_community_ids(me()))
    handler = me().role in ("township", "reviewer")
    units = escalation_queues.assignable_units() if handler else []
    needs = escalation_queues.escalatable_needs(me()) if me().role == "community" else []
    return render_template(
        "escalations/index.html",
        page=result,
        suggested=suggested,
        units=units,
        needs=needs,
        active_only=active_only,
        queues=escalation_queues,
    )


@bp.route("/needs/<int:need_id>", methods=["POST"])
def escalate_need(need_id: int):
    data = request.form.to_dict()
    return act(
        lambda: escalations.escalate_need(me(), need_id, data),
        "需求已上报乡镇（街道）党（工）委。",
        target=_back,
    )


@bp.route("/needs", methods=["POST"])
def escalate_chosen_need():
    data = request.form.to_dict()
    need_id = request.form.get("need_id", type=int)
    return act(
        lambda: escalations.escalate_need(me(), need_id, data),
        "需求已上报乡镇（街道）党（工）委。",
        target=_back,
    )


@bp.route("/<int:escalation_id>/assign", methods=["POST"])
def assign(escalation_id: int):
    data = request.form.to_dict()
    return act(
        lambda: escalations.assign(me(), escalation_id, data),
        "已指派，等待单位答复。",
        target=_back,
    )


@bp.route("/<int:escalation_id>/escalate", methods=["POST"])
def escalate(escalation_id: int):
    data = request.form.to_dict()
    return act(
        lambda: escalations.escalate_to_county(me(), escalation_id, data),
        "已上报县委组织部。",
        target=_back,
    )


@bp.route("/<int:escalation_id>/answer", methods=["POST"])
def answer(escalation_id: int):
    data = request.form.to_dict()
    return act(lambda: escalations.answer(me(), escalation_id, data), "已答复。", target=_back)


@bp.route("/<int:escalation_id>/withdraw", methods=["POST"])
def withdraw(escalation_id: int):
    return act(lambda: escalations.withdraw(me(), escalation_id), "已撤回上报。", target=_back)
