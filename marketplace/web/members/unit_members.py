"""Unit secretaries: register the unit's members (form or Excel) and follow them."""

from functools import partial

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.services.members import (
    member_imports,
    member_queries,
    member_stats,
    members,
)
from marketplace.web.members.member_helpers import submit, year_arg

bp = Blueprint("unit_members", __name__, url_prefix="/unit/members")
bp.before_request(page_guard("unit"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
def index():
    year = year_arg()
    lines = member_stats.unit_members(current_user, year)
    rates = member_stats.own_unit_rates(current_user, year)
    return render_template("members/unit_members.html", lines=lines, rates=rates, year=year)


def _registered(result) -> str:
    member, password = result
    flash(
        f"已登记{member.name}：用户名 {member.user.username}，初始密码 {password}（仅显示一次）。"
    )
    return url_for("unit_members.index")


@bp.route("/new", methods=["GET", "POST"])
def register():
    context = {"communities": member_queries.community_choices()}
    if request.method == "POST":
        action = partial(members.register_member, current_user, request.form)
        return submit(action, "", _registered, "members/unit_register.html", **context)
    return render_template("members/unit_register.html", errors={}, values={}, **context)


@bp.route("/import", methods=["GET", "POST"])
def import_members():
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            result = member_imports.import_members(current_user, upload.read() if upload else b"")
        except InvalidInput as error:
            db.session.rollback()
            problems = getattr(error, "errors", {}).get("file") or [error.message]
            return render_template("members/unit_import.html", problems=problems), 400
        return render_template("members/unit_import.html", result=result, problems=[])
    return render_template("members/unit_import.html", problems=[])


@bp.route("/template.xlsx")
def template():
    return Response(
        member_imports.template_workbook(),
        mimetype=XLSX,
        headers={"Content-Disposition": "attachment; filename=members-template.xlsx"},
    )
