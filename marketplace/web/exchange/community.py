"""Pages for community staff (role ``community``), own community only."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.exchange import (
    claims,
    listings_overview,
    needs,
    pages_queries,
    suggestions,
)
from marketplace.web.confirmation import confirm_first
from marketplace.web.exchange.marketplace_forms import (
    NeedForm,
    RatingForm,
)
from marketplace.web.exchange.marketplace_helpers import (
    act,
    back_url,
    form_status,
    need_url,
    page_args,
    progress_view,
)
from marketplace.web.exchange.project_charts import status_chart

bp = Blueprint("community", __name__, url_prefix="/community")
bp.before_request(page_guard("community"))


@bp.route("/")
def dashboard():
    overview = listings_overview.community_overview(current_user.community)
    return render_template(
        "community/dashboard.html", overview=overview, chart=status_chart(overview["counts"])
    )


@bp.route("/needs", endpoint="needs")
def needs_list():  # named so it does not shadow the ``needs`` service module
    status = request.args.get("status") or None
    page, per_page = page_args()
    result = needs.community_needs_page(current_user, status, page, per_page)
    return render_template("community/needs.html", page=result, status=status)


@bp.route("/needs/new", methods=["GET", "POST"])
def new_need():
    form = NeedForm(type_choices=pages_queries.type_choices())
    if form.validate_on_submit():
        return act(
            lambda: needs.create_need(current_user, form.data, publish=form.publish.data),
            "需求已发布。" if form.publish.data else "需求已保存为草稿。",
            form=form,
            template="community/need_form.html",
            context={"need": None},
            target=need_url,
        )
    return render_template("community/need_form.html", form=form, need=None), form_status(form)


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
def edit_need(need_id: int):
    need = pages_queries.own_need(current_user, need_id)
    form = NeedForm(obj=need, type_choices=pages_queries.type_choices())
    if form.validate_on_submit():
        return act(
            lambda: needs.update_need(current_user, need_id, form.data),
            "需求已保存。",
            form=form,
            template="community/need_form.html",
            context={"need": need},
            target=need_url,
        )
    return render_template("community/need_form.html", form=form, need=need), form_status(form)


@bp.route("/needs/<int:need_id>/publish", methods=["POST"])
def publish_need(need_id: int):
    return act(
        lambda: needs.publish_need(current_user, need_id),
        "需求已发布，单位可以认领了。",
        target=need_url,
    )


@bp.route("/needs/<int:need_id>/withdraw", methods=["POST"])
@confirm_first
def withdraw_need(need_id: int):
    return act(lambda: needs.withdraw_need(current_user, need_id), "需求已撤回。", target=need_url)


@bp.route("/needs/<int:need_id>/invite/<int:unit_id>", methods=["POST"])
def invite_unit(need_id: int, unit_id: int):
    suggestions_url = url_for("listings.need", need_id=need_id) + "#suggestions"
    return act(
        lambda: suggestions.invite_unit(current_user, need_id, unit_id),
        lambda unit: f"已邀请{unit.name}认领，对方会收到通知。",
        target=suggestions_url,
        back=suggestions_url,
    )


@bp.route("/claims/<int:claim_id>/accept", methods=["POST"])
def accept_claim(claim_id: int):
    return act(
        lambda: claims.accept_claim(current_user, claim_id),
        "已接受认领，并已通知单位。",
        target=lambda _claim: back_url(),  # the need page or the project list it came from
    )


@bp.route("/claims/<int:claim_id>/decline", methods=["POST"])
@confirm_first
def decline_claim(claim_id: int):
    reason = request.form.get("reason", "")  # optional; the service checks its length
    return act(
        lambda: claims.decline_claim(current_user, claim_id, reason),
        "已婉拒该认领。",
        target=lambda _claim: back_url(),
    )


@bp.route("/claims/<int:claim_id>/done", methods=["POST"])
def complete_claim(claim_id: int):
    return act(
        lambda: claims.complete_claim(current_user, claim_id), "项目已标记为完成。", target=need_url
    )


@bp.route("/claims/<int:claim_id>/progress", methods=["GET", "POST"])
def claim_progress(claim_id: int):
    return progress_view(claim_id)


@bp.route("/claims/<int:claim_id>/rate", methods=["GET", "POST"])
def rate_claim(claim_id: int):
    context = pages_queries.claim_page(current_user, claim_id)
    form = RatingForm()
    if form.validate_on_submit():
        return act(
            lambda: claims.rate_claim(current_user, claim_id, form.stars.data, form.comment.data),
            "感谢评价，已通知单位。",
            form=form,
            template="community/rate.html",
            context=context,
            target=need_url,
        )
    return render_template("community/rate.html", form=form, **context), form_status(form)


@bp.route("/projects")
def projects():
    status = request.args.get("status") or None
    page, per_page = page_args()
    result = claims.projects_page(current_user, status, page, per_page)
    return render_template("community/projects.html", page=result, status=status)
