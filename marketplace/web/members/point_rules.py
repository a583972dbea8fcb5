"""Administrators: how many points each source earns."""

from functools import partial

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.members import points
from marketplace.web.members.member_helpers import submit

bp = Blueprint("point_rules", __name__, url_prefix="/admin/points")
bp.before_request(page_guard("admin"))


@bp.route("/", methods=["GET", "POST"])
def index():
    if request.method == "POST":
        action = partial(points.set_rules, current_user, request.form)
        return submit(
            action,
            "积分规则已保存。",
            lambda _result: url_for("point_rules.index"),
            "members/point_rules.html",
            rules=points.rules(),
            per_hour=points.points_per_hour(),
        )
    values = {kind: value for kind, _label, value in points.rules()}
    return render_template(
        "members/point_rules.html",
        rules=points.rules(),
        values=values,
        errors={},
        per_hour=points.points_per_hour(),
    )
