"""Community staff's members desk: reports, the base ledger, service records, activities."""

from functools import partial

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.models.members import ACTIVITY_KINDS, SERVICE_STATUSES
from marketplace.services.members import (
    activities,
    member_queries,
    members,
    points,
    service_records,
)
from marketplace.services.members import teams as teams_service
from marketplace.web.exchange.marketplace_helpers import page_args
from marketplace.web.members.member_helpers import qr_svg, submit, year_arg

bp = Blueprint("member_desk", __name__, url_prefix="/community/members")
bp.before_request(page_guard("community"))


@bp.route("/")
def ledger():
    page, per_page = page_args()
    q, year = request.args.get("q", ""), year_arg()
    result = member_queries.ledger_page(current_user, page, per_page, q)
    return render_template(
        "members/ledger.html",
        page=result,
        q=q,
        year=year,
        hours=member_queries.ledger_hours(result.items, year),
        counts=member_queries.desk_counts(current_user),
    )


@bp.route("/reports")
def reports():
    pending = member_queries.pending_reports(current_user)
    return render_template("members/reports.html", reports=pending)


def _to(endpoint: str, **values):
    return lambda _result=None: url_for(endpoint, **values)


@bp.post("/reports/<int:report_id>/confirm")
def confirm_report(report_id: int):
    action = partial(members.confirm_report, current_user, report_id)
    return submit(action, "已确认报到。", _to("member_desk.reports"))


@bp.post("/reports/<int:report_id>/return")
def return_report(report_id: int):
    action = partial(members.return_report, current_user, report_id, request.form.get("reason"))
    return submit(action, "已退回报到。", _to("member_desk.reports"))


@bp.route("/services")
def services():
    page, per_page = page_args()
    status = request.args.get("status", "submitted")
    status = status if status in SERVICE_STATUSES else None
    result = service_records.records_page(
        community_id=current_user.community_id, status=status, page=page, per_page=per_page
    )
    return render_template(
        "members/desk_services.html",
        page=result,
        status=status,
        needs_hours=service_records.needs_hours,
    )


@bp.post("/services/<int:record_id>/confirm")
def confirm_service(record_id: int):
    action = partial(service_records.confirm_service, current_user, record_id, request.form)
    return submit(action, "已确认服务记录，积分已发放。", _to("member_desk.services"))


@bp.post("/services/<int:record_id>/return")
def return_service(record_id: int):
    reason = request.form.get("reason")
    action = partial(service_records.return_service, current_user, record_id, reason)
    return submit(action, "已退回服务记录。", _to("member_desk.services"))


@bp.route("/activities")
def activity_list():
    items = activities.community_activities(current_user.community_id)
    return render_template("members/activities.html", activities=items, is_open=activities.is_open)


@bp.route("/activities/new", methods=["GET", "POST"])
def new_activity():
    context = {
        "kinds": list(ACTIVITY_KINDS.items()),
        "teams": teams_service.community_teams(current_user.community_id),
    }
    if request.method == "POST":
        return submit(
            partial(activities.create_activity, current_user, request.form),
            "活动已创建，签到二维码在活动时间内有效。",
            lambda activity: url_for("member_desk.activity", activity_id=activity.id),
            "members/activity_form.html",
            **context,
        )
    values = {"date": members.county_now().date().isoformat(), "starts": "09:00", "ends": "11:00"}
    return render_template("members/activity_form.html", errors={}, values=values, **context)


@bp.route("/activities/<int:activity_id>")
def activity(activity_id: int):
    item = activities.own_activity(current_user, activity_id)
    url = url_for("members.checkin", token=item.checkin_token, _external=True)
    running = activities.is_open(item)
    return render_template(
        "members/activity.html", activity=item, qr=qr_svg(url), url=url, running=running
    )


@bp.route("/<int:member_id>/cards/<kind>")
def card(member_id: int, kind: str):
    member = member_queries.staff_member(current_user, member_id)
    return render_template("members/card.html", **member_queries.card(member, kind, year_arg()))


@bp.post("/<int:member_id>/correct")
def correct_points(member_id: int):
    action = partial(points.correct, current_user, member_id, request.form)
    target = _to("member_desk.card", member_id=member_id, kind="points")
    return submit(action, "积分已更正。", target)
