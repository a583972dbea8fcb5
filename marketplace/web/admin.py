"""Pages for system administrators (role ``admin``)."""

from flask import Blueprint, current_app, render_template, request

from marketplace.auth import require_role
from marketplace.services import directory

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role("admin"))


@bp.route("/")
def dashboard():
    page = request.args.get("page", 1, type=int)
    role = request.args.get("role", "")
    users = directory.users_page(role=role, page=page, per_page=current_app.config["PAGE_SIZE"])
    return render_template("admin/dashboard.html", users=users, role=role)
