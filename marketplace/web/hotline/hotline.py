"""志愿服务110 pages: public intake and status; the command centre, the teams, the dashboard."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import Forbidden, InvalidInput
from marketplace.models.hotline import HOTLINE_SERVICES, TICKET_STATUSES
from marketplace.services.access import is_dispatcher, serves_in_teams
from marketplace.services.exchange import pages_queries
from marketplace.services.hotline import (
    hotline,
    hotline_dispatch,
    hotline_queries,
    hotline_stats,
)
from marketplace.web.exchange.marketplace_forms import attach_error
from marketplace.web.exchange.marketplace_helpers import act, page_args, viewer
from marketplace.web.hotline.hotline_charts import day_chart, kind_chart, satisfaction_chart
from marketplace.web.hotline.hotline_forms import IntakeForm
from marketplace.web.hotline.hotline_views import (
    STEP_FORM_CLASSES,
    STEP_FORMS,
    STEPS,
    parse_pairs,
    ticket_context,
)

bp = Blueprint("hotline", __name__, url_prefix="/hotline")
desk = Blueprint("hotline_desk", __name__, url_prefix="/hotline/desk")
desk.before_request(page_guard("dispatcher", "reviewer", "community", "member"))


def ticket_url(ticket) -> str:
    return url_for("hotline_desk.ticket", ticket_id=ticket.id)


def _intake(template: str, done):
    form = IntakeForm().with_communities(pages_queries.filter_choices()["communities"])
    if form.validate_on_submit():
        try:
            ticket = hotline.receive_ticket(viewer(), form.to_request())
        except InvalidInput as error:
            attach_error(form, error)
        else:
            return done(ticket)
    return render_template(template, form=form), 400 if form.errors else 200


@bp.route("/", methods=["GET", "POST"])
def intake():
    return _intake(
        "hotline/intake.html",
        lambda ticket: redirect(url_for("hotline.status", ticket_id=ticket.id, new=1)),
    )


@bp.route("/requests/<int:ticket_id>")
def status(ticket_id: int):
    ticket, _staff = hotline_queries.ticket_for_viewer(None, ticket_id)
    return render_template("hotline/status.html", ticket=ticket, new=request.args.get("new"))


@desk.route("/")
def queue():
    if serves_in_teams(current_user):
        return redirect(url_for("hotline_desk.team_queue"))
    filters = hotline_queries.TicketFilters(
        status=request.args.get("status") or None,
        service_code=request.args.get("service_code") or None,
        overdue_only=bool(request.args.get("overdue")),
    )
    page, per_page = page_args()
    result = hotline_queries.queue_page(current_user, filters, page, per_page)
    return render_template(
        "hotline/queue.html",
        page=result,
        filters=filters,
        statuses=[("open", "未办结"), *TICKET_STATUSES.items()],
        kinds=[(code, value[0]) for code, value in HOTLINE_SERVICES.items()],
        is_overdue=hotline.is_overdue,
        dispatcher=is_dispatcher(current_user),
    )


@desk.route("/team")
def team_queue():
    status = request.args.get("status") or None
    page = hotline_queries.team_queue_page(current_user, status, page_args()[0])
    return render_template(
        "hotline/team_queue.html", page=page, status=status, is_overdue=hotline.is_overdue
    )


@desk.route("/new", methods=["GET", "POST"])
def new():
    if not is_dispatcher(current_user):
        raise Forbidden("只有调度员可以登记来电。")
    return _intake("hotline/new.html", lambda ticket: redirect(ticket_url(ticket)))


@desk.route("/tickets/<int:ticket_id>")
def ticket(ticket_id: int):
    return render_template("hotline/ticket.html", **ticket_context(current_user, ticket_id))


@desk.route("/tickets/<int:ticket_id>/<step>", methods=["POST"])
def step(ticket_id: int, step: str):
    if step not in STEPS:
        return redirect(url_for("hotline_desk.ticket", ticket_id=ticket_id))
    action, message = STEPS[step]
    form_name = STEP_FORMS.get(step)
    if form_name is None:  # a bare button: a refusal is flashed on the ticket's page
        return act(
            lambda: action(current_user, ticket_id, request.form), message, target=ticket_url
        )
    context = ticket_context(current_user, ticket_id, bound=step)
    form = context.get(form_name)
    if form is None:  # this step is not (or no longer) the viewer's: the service says why
        form = STEP_FORM_CLASSES[step]()
        context[form_name] = form
    return act(
        lambda: action(current_user, ticket_id, request.form),
        message,
        form=form,
        template="hotline/ticket.html",
        context=context,
        target=ticket_url,
    )


@desk.route("/batch", methods=["GET", "POST"])
def batch():
    if request.method == "POST":
        pairs = parse_pairs(request.form.getlist("pair"))
        landed, refused = hotline_dispatch.confirm_batch(current_user, pairs)
        flash(f"已派出 {landed} 张工单。", "success")
        for message in refused:
            flash(message, "warning")
        return redirect(url_for("hotline_desk.queue", status="dispatched"))
    proposals = hotline_dispatch.propose_batch(current_user)
    return render_template("hotline/batch.html", proposals=proposals)


@desk.route("/dashboard")
def dashboard():
    days = request.args.get("days", 90, type=int)
    figures = hotline_stats.dashboard(current_user, days)
    return render_template(
        "hotline/dashboard.html",
        figures=figures,
        periods=hotline_stats.PERIODS,
        day_chart=day_chart(figures.per_day),
        kind_chart=kind_chart(figures.per_kind),
        satisfaction_chart=satisfaction_chart(figures.satisfaction),
    )
