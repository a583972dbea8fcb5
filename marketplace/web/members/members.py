"""Pages for in-service party members (role ``member``): report, post, service, cards."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.members import (
    activities,
    member_queries,
    points,
    posts,
    service_records,
)
from marketplace.services.members import members as members_service
from marketplace.web.exchange.marketplace_helpers import page_args
from marketplace.web.members.member_helpers import submit, year_arg

bp = Blueprint("members", __name__, url_prefix="/member")
bp.before_request(page_guard("member"))


def _me():
    return members_service.member_of(current_user)


def _home(_result=None) -> str:
    return url_for("members.home")


@bp.route("/")
def home():
    context = member_queries.member_home(_me(), year_arg())
    return render_template("members/home.html", **context)


@bp.route("/report", methods=["GET", "POST"])
def report():
    member = _me()
    context = {"choices": members_service.report_choices(member), "member": member}
    if request.method == "POST":
        return submit(
            lambda: members_service.report(current_user, request.form),
            "报到已提交，请等待社区确认。",
            _home,
            "members/report.html",
            **context,
        )
    return render_template("members/report.html", errors={}, values={}, **context)


@bp.route("/posts")
def post_list():
    member = _me()
    items = posts.community_posts(member.community_id) if member.community_id else []
    return render_template("members/posts.html", member=member, posts=items)


@bp.post("/posts/<int:post_id>/choose")
def choose_post(post_id: int):
    return submit(
        lambda: posts.choose_post(current_user, post_id),
        "选岗成功。",
        _home,
    )


@bp.route("/services")
def services():
    page, per_page = page_args()
    result = service_records.records_page(member_id=_me().id, page=page, per_page=per_page)
    return render_template("members/services.html", page=result)


@bp.route("/services/new", methods=["GET", "POST"])
def new_service():
    member = _me()
    if request.method == "POST":
        return submit(
            lambda: service_records.log_service(current_user, request.form),
            "服务记录已提交，待社区确认。",
            lambda _record: url_for("members.services"),
            "members/service_form.html",
            member=member,
        )
    values = {"date": members_service.county_now().date().isoformat(), "kind": "service"}
    return render_template("members/service_form.html", errors={}, values=values, member=member)


@bp.route("/checkin/<token>", methods=["GET", "POST"])
def checkin(token: str):
    activity = activities.activity_by_token(token)
    if request.method == "POST":
        return submit(
            lambda: activities.check_in(current_user, token),
            lambda record: (
                f"签退成功：{activity.title}，服务时长 {record.hours:g} 小时。"
                if record.checked_out_at
                else f"签到成功：{activity.title}。活动结束前再扫一次码即可签退。"
            ),
            lambda _record: url_for("members.services"),
        )
    return render_template(
        "members/checkin.html",
        activity=activity,
        running=activities.is_open(activity),
        record=activities.my_checkin(current_user, activity),
    )


@bp.route("/points")
def my_points():
    member = _me()
    entries = points.entries(member)
    return render_template(
        "members/points.html",
        member=member,
        entries=entries,
        served_on=member_queries.service_dates(entries),
    )


@bp.route("/cards/<kind>")
def card(kind: str):
    context = member_queries.card(_me(), kind, year_arg())
    return render_template("members/card.html", **context)


@bp.route("/cards")
def cards():
    return redirect(url_for("members.card", kind="info"))
