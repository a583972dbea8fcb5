"""A signed-in user's notifications: list and mark read."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.models import ROLES
from marketplace.services import notifications
from marketplace.web.exchange.marketplace_helpers import page_args
from marketplace.web.navigation import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


bp.before_request(page_guard(*ROLES))  # every signed-in role; anonymous -> login


@bp.route("/")
def index():
    page, per_page = page_args()
    result = notifications.notifications_page(current_user, page, per_page)
    return render_template("notifications/index.html", page=result)


@bp.route("/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int):
    notifications.mark_read(current_user, notification_id)
    return redirect(url_for("notifications.index"))


@bp.route("/<int:notification_id>/open", methods=["POST"])
def open_one(notification_id: int):
    """Open what a notification points to, marking it read on the way."""
    target = notifications.open_notification(current_user, notification_id)
    return redirect(safe_next(target) or url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
def mark_all_read():
    changed = notifications.mark_read(current_user)
    flash(f"已将 {changed} 条通知标为已读。", "success")
    return redirect(url_for("notifications.index"))
