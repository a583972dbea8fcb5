"""Escalations (上报与统筹安排): each role's queue, one escalation's page and its moves.

A refused form comes back on the page it was sent from, with the message beside the
field and the input kept. Assigning asks for a confirmation naming the chosen unit.
"""

from flask import Blueprint, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.services import audit
from marketplace.services.access import may_escalate, oversees_needs
from marketplace.services.oversight import escalation_queues, escalations
from marketplace.services.oversight.oversight_scope import actor_community_ids
from marketplace.web.exchange.marketplace_helpers import act, form_status, page_args
from marketplace.web.oversight.oversight_forms import (
    AnswerForm,
    AssignForm,
    EscalateForm,
    EscalateNeedForm,
)
from marketplace.web.oversight.oversight_helpers import me

bp = Blueprint("escalations", __name__, url_prefix="/escalations")
bp.before_request(page_guard("community", "township", "reviewer", "unit"))


def _show_url(escalation) -> str:
    return url_for(".show", escalation_id=escalation.id)


def _index_context(need_form: EscalateNeedForm | None = None) -> dict:
    page, per_page = page_args()
    active_only = request.args.get("all") != "1"
    result = escalation_queues.queue_page(
        me(), active_only=active_only, page=page, per_page=per_page
    )
    suggested = []
    if oversees_needs(me()):
        suggested = escalation_queues.stale_needs(actor_community_ids(me()))
    if need_form is None and may_escalate(me()):
        need_form = EscalateNeedForm(formdata=None, need_id=request.args.get("need_id", ""))
    if need_form is not None:
        need_form.with_needs(escalation_queues.escalatable_needs(me()))
    return {
        "page": result,
        "suggested": suggested,
        "need_form": need_form,
        "active_only": active_only,
        "queues": escalation_queues,
    }


@bp.route("/")
def index():
    return render_template("escalations/index.html", **_index_context())


@bp.route("/needs", methods=["POST"])
def escalate_chosen_need():
    form = EscalateNeedForm()
    context = _index_context(form)
    if not form.validate_on_submit():
        return render_template("escalations/index.html", **context), 400
    data = {"reason": form.reason.data}
    return act(
        lambda: escalations.escalate_need(me(), int(form.need_id.data), data),
        "需求已上报乡镇（街道）党（工）委。",
        form=form,
        template="escalations/index.html",
        context=context,
        target=_show_url,
    )


def _show_context(escalation_id: int, bound: str | None = None) -> dict:
    """Return the escalation, its history and the forms the viewer may use on it; the
    form named ``bound`` reads the submitted input."""

    def form(name, form_class):
        return form_class() if name == bound else form_class(formdata=None)

    escalation = escalation_queues.escalation_for(me(), escalation_id)
    context = {"escalation": escalation, "queues": escalation_queues, "confirm": None}
    if escalation_queues.can_assign(me(), escalation):
        suggestions = escalation_queues.assign_suggestions(escalation)
        context["suggestions"] = suggestions
        context["assign_form"] = form("assign", AssignForm).with_suggestions(suggestions)
        if escalation.level == "township":
            context["county_form"] = form("county", EscalateForm)
    if escalation_queues.awaits_answer_from(me(), escalation):
        context["answer_form"] = form("answer", AnswerForm)
    context["history"] = audit.history("escalation", escalation.id)
    return context


def _render_show(context: dict, status: int = 200):
    return render_template("escalations/show.html", **context), status


@bp.route("/<int:escalation_id>")
def show(escalation_id: int):
    return _render_show(_show_context(escalation_id))


@bp.route("/<int:escalation_id>/assign", methods=["POST"])
def assign(escalation_id: int):
    context = _show_context(escalation_id, bound="assign")
    form = context.get("assign_form")
    if form is None:  # no longer open at this level: the service says why
        form = AssignForm()
    elif not form.validate_on_submit():
        return _render_show(context, form_status(form))
    elif request.form.get("confirmed") != "1":
        chosen = int(form.unit_id.data)
        context["confirm"] = next(s for s in context["suggestions"] if s.unit.id == chosen)
        return _render_show(context)
    return act(
        lambda: escalations.assign(me(), escalation_id, {"unit_id": form.unit_id.data}),
        "已指派，等待单位答复。",
        form=form,
        template="escalations/show.html",
        context=context,
        target=_show_url,
    )


@bp.route("/<int:escalation_id>/escalate", methods=["POST"])
def escalate(escalation_id: int):
    context = _show_context(escalation_id, bound="county")
    form = context.get("county_form") or EscalateForm()
    if not form.validate_on_submit():
        return _render_show({**context, "county_form": form}, 400)
    return act(
        lambda: escalations.escalate_to_county(me(), escalation_id, {"reason": form.reason.data}),
        "已上报县委组织部。",
        form=form,
        template="escalations/show.html",
        context=context,
        target=_show_url,
    )


@bp.route("/<int:escalation_id>/answer", methods=["POST"])
def answer(escalation_id: int):
    context = _show_context(escalation_id, bound="answer")
    form = context.get("answer_form") or AnswerForm()
    if not form.validate_on_submit():
        return _render_show({**context, "answer_form": form}, 400)
    data = {"accept": request.form.get("accept", ""), "note": form.note.data or ""}
    return act(
        lambda: escalations.answer(me(), escalation_id, data),
        "已答复。",
        form=form,
        template="escalations/show.html",
        context={**context, "answer_form": form},
        target=_show_url,
    )


@bp.route("/<int:escalation_id>/withdraw", methods=["POST"])
def withdraw(escalation_id: int):
    return act(lambda: escalations.withdraw(me(), escalation_id), "已撤回上报。", target=_show_url)
