"""Pages for the organization department's reviewers (role ``reviewer``)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import DomainError, Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models.pairing import PLAN_STATUSES
from marketplace.services.access import valid_id
from marketplace.services.audit import record_refusal
from marketplace.services.exchange import listings_overview
from marketplace.services.pairing import (
    pairing_plans,
    plan_changes,
    plan_export,
    plan_reports,
    plan_stability,
)
from marketplace.services.pairing.plan_inputs import PlanInfeasible, PlanInputs
from marketplace.web.confirmation import confirm_first
from marketplace.web.downloads import XLSX, attachment
from marketplace.web.pairing import pairing_charts
from marketplace.web.pairing.review_forms import (
    AdjustForm,
    TransitionForm,
    capacity_field,
    form_inputs,
    quota_fields,
    run_form,
)

bp = Blueprint("review", __name__, url_prefix="/review")
bp.before_request(page_guard("reviewer"))

TRANSITIONS = {
    "submit": (pairing_plans.submit_plan, "方案已提交审核，请由另一位审核员批准。"),
    "approve": (pairing_plans.approve_plan, "方案已批准，可以发布。"),
    "publish": (pairing_plans.publish_plan, "方案已发布，已通知各社区和单位。"),
    "discard": (pairing_plans.discard_plan, "方案已废弃。"),
}


@bp.route("/")
def dashboard():
    county = pairing_plans.first_county()  # the page also serves an empty database
    return render_template(
        "review/dashboard.html",
        rows=listings_overview.county_coverage(),
        published=plan_reports.published_plan(county.id) if county else None,
        pending=plan_reports.plans_page(status="under_review", per_page=5),
    )


@bp.route("/plans")
def plans():
    status = request.args.get("status", "")
    page = plan_reports.plans_page(status=status, page=request.args.get("page", 1, type=int))
    return render_template("review/plans.html", page=page, status=status, statuses=PLAN_STATUSES)


@bp.route("/plans/new", methods=["GET", "POST"])
def run():
    county = pairing_plans.default_county()
    units, communities = plan_reports.county_places(county.id)
    based_on = _based_on(request.args.get("from", type=int))
    form = run_form(communities, units, based_on=based_on)
    infeasible, status = None, 200
    if form.validate_on_submit():
        inputs = form_inputs(form, communities, units)
        try:
            if inputs is not None:
                plan = pairing_plans.create_plan(current_user, county.id, inputs, form.title.data)
                flash(f"已生成草稿方案《{plan.title}》。", "success")
                return redirect(url_for("review.plan", plan_id=plan.id))
        except PlanInfeasible as error:
            infeasible, status = error, 422
        except DomainError as error:
            if error.field in form:  # beside its field, the input kept
                form[error.field].errors.append(error.message)
            else:
                flash(error.message, "danger")
            status = error.status
    if request.method == "POST" and status == 200:
        status = 400
    return render_template(
        "review/run.html",
        form=form,
        county=county,
        communities=communities,
        units=units,
        quota_fields=quota_fields,
        capacity_field=capacity_field,
        infeasible=infeasible,
    ), status


def _based_on(plan_id: int | None) -> PlanInputs | None:
    if not valid_id(plan_id):
        return None
    try:
        return PlanInputs.from_plan(pairing_plans.get_plan(plan_id))
    except DomainError:
        return None


@bp.route("/plans/<int:plan_id>")
def plan(plan_id: int):
    detail = plan_reports.plan_detail(plan_id)
    paired = {(p.unit_id, p.community_id) for block in detail.blocks for p in block.pairs}
    totals = plan_reports.score_totals(detail.plan)
    return render_template(
        "review/plan.html",
        detail=detail,
        plan=detail.plan,
        heatmap=pairing_charts.score_heatmap(detail.communities, detail.units, totals, paired),
        pairs_map=pairing_charts.pairs_map(detail.communities, detail.units, sorted(paired)),
        adjustment_text=plan_reports.adjustment_text,
        blocking=plan_stability.plan_blocking_pairs(plan_id),
        adjust_form=AdjustForm(),
        transition_form=TransitionForm(),
        may_approve=pairing_plans.may_approve(current_user, detail.plan),
        consequences=plan_changes.plan_consequences(
            detail.plan, [pair for block in detail.blocks for pair in block.pairs]
        ),
        percent=plan_changes.percent,
        setting_share=plan_changes.setting_share(),
    )


@bp.route("/plans/<int:plan_id>/adjust", methods=["POST"])
def adjust(plan_id: int):
    form = AdjustForm()
    if not form.validate_on_submit():
        flash("调整内容不完整，请重新选择。", "danger")
    else:
        try:
            pairing_plans.adjust_plan(current_user, plan_id, form.kind.data, form.payload())
            flash("已调整并重新求解。", "success")
        except DomainError as error:
            flash(f"调整未生效：{error.message}", "danger")
    return redirect(url_for("review.plan", plan_id=plan_id, _anchor="adjust"))


@bp.route("/plans/<int:plan_id>/<action>", methods=["POST"])
@confirm_first
def transition(plan_id: int, action: str):
    form = TransitionForm()
    if action not in TRANSITIONS and action != "return":
        raise NotFound("未知的操作。")
    if form.validate_on_submit():
        try:
            if action == "return":
                pairing_plans.return_plan(current_user, plan_id, form.note.data or "")
                flash("方案已退回修改。", "info")
            else:
                service, message = TRANSITIONS[action]
                service(current_user, plan_id)
                flash(message, "success")
        except DomainError as error:
            if isinstance(error, Forbidden):  # refusals are audited, as the handler does
                db.session.rollback()
                record_refusal(error.message)
            flash(error.message, "danger")
    else:
        flash("意见不能超过 2000 字。", "danger")
    return redirect(url_for("review.plan", plan_id=plan_id))


@bp.route("/plans/<int:plan_id>/compare")
def compare(plan_id: int):
    comparison = plan_reports.compare_with_published(plan_id)
    chart = pairing_charts.change_bars([(r.community.name, r.change) for r in comparison.rows])
    proposing = request.args.get("stable", "")
    stable = plan_stability.compare_with_stable(plan_id, proposing) if proposing else None
    return render_template("review/compare.html", comparison=comparison, chart=chart, stable=stable)


@bp.route("/plans/<int:plan_id>/export.xlsx")
def export_xlsx(plan_id: int):
    return attachment(
        plan_export.plan_workbook(plan_id),
        XLSX,
        f"结对方案{plan_id}.xlsx",
        f"pairing-plan-{plan_id}.xlsx",
    )


@bp.route("/plans/<int:plan_id>/export.csv")
def export_csv(plan_id: int):
    return attachment(
        plan_export.plan_csv(plan_id),
        "text/csv; charset=utf-8",
        f"结对方案{plan_id}.csv",
        f"pairing-plan-{plan_id}.csv",
    )
