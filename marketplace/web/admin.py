"""Pages for system administrators (role ``admin``): accounts."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services import accounts
from marketplace.services.exchange import directory
from marketplace.web.actions import act
from marketplace.web.admin_forms import UserForm
from marketplace.web.confirmation import confirm_first

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(page_guard("admin"))


@bp.route("/")
def dashboard():
    page = request.args.get("page", 1, type=int)
    role = request.args.get("role", "")
    q = request.args.get("q", "")[:50]
    users = directory.users_page(
        role=role, q=q, page=page, per_page=current_app.config["PAGE_SIZE"]
    )
    return render_template("admin/dashboard.html", users=users, role=role, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    form.set_places(*directory.places())
    if form.validate_on_submit():
        return act(
            lambda: accounts.create_user_by_admin(current_user, form.data),
            lambda user: f"已创建账号 {user.username}（{user.role_label}）。",
            form=form,
            template="admin/user_form.html",
            target=url_for("admin.dashboard"),
        )
    status = 400 if form.errors else 200
    return render_template("admin/user_form.html", form=form), status


@bp.route("/users/<int:user_id>/<action>", methods=["POST"])
@confirm_first
def set_active(user_id: int, action: str):
    if action not in ("enable", "disable"):
        abort(404)
    user = accounts.set_user_active(current_user, user_id, action == "enable")
    flash(f"账号 {user.username} 已{'启用' if user.active else '停用'}。", "success")
    return redirect(
        url_for("admin.dashboard", role=request.args.get("role", ""), q=request.args.get("q", ""))
    )
