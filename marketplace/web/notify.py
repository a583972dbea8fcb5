"""「通知设置」 (every signed-in role) and the private calendar feed (by token, no login)."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import Forbidden, InvalidInput
from marketplace.models import ROLES
from marketplace.services.notify import calendar_feed, preferences
from marketplace.web.exchange.marketplace_forms import attach_error
from marketplace.web.notify_forms import GroupWebhookForm, NotifySettingsForm

bp = Blueprint("notify", __name__, url_prefix="/notifications/settings")
bp.before_request(page_guard(*ROLES))
calendar = Blueprint("calendar", __name__, url_prefix="/calendar")


def calendar_url(token: str | None) -> str | None:
    """Return the full address of a calendar feed (what a phone subscribes to)."""
    return url_for("calendar.feed", token=token, _external=True) if token else None


def _page(form: NotifySettingsForm, hook_form: GroupWebhookForm | None, status: int = 200):
    view = preferences.settings_view(current_user)
    group = preferences.own_group(current_user)
    hook = preferences.group_webhook(**group) if group else None
    return render_template(
        "notifications/settings.html",
        form=form,
        hook_form=hook_form,
        hook=hook,
        view=view,
        calendar_url=calendar_url(view["calendar_token"]),
    ), status


@bp.route("/", methods=["GET", "POST"])
def settings():
    form = NotifySettingsForm()
    if form.validate_on_submit():
        try:
            preferences.update_settings(current_user, form.payload())
        except InvalidInput as error:
            attach_error(form, error)
        else:
            flash("通知设置已保存。", "success")
            return redirect(url_for("notify.settings"))
    elif not form.is_submitted():
        form.fill(preferences.settings_view(current_user))
    hook_form = GroupWebhookForm(formdata=None) if preferences.own_group(current_user) else None
    return _page(form, hook_form, 400 if form.errors else 200)


@bp.route("/webhook", methods=["POST"])
def set_webhook():
    group = preferences.own_group(current_user)
    if group is None:
        raise Forbidden("只有社区或乡镇（街道）工作人员可以设置本群的机器人。")
    hook_form = GroupWebhookForm()
    if hook_form.validate_on_submit():
        try:
            hook = preferences.set_group_webhook(current_user, {**hook_form.data, **group})
        except InvalidInput as error:
            attach_error(hook_form, error)
        else:
            flash("群机器人已保存。" if hook else "群机器人已删除。", "success")
            return redirect(url_for("notify.settings"))
    form = NotifySettingsForm(formdata=None)
    form.fill(preferences.settings_view(current_user))
    return _page(form, hook_form, 400)


@bp.route("/calendar", methods=["POST"])
def issue_calendar():
    preferences.issue_calendar_token(current_user)
    flash("已生成新的日历订阅地址，旧地址已失效。", "success")
    return redirect(url_for("notify.settings"))


@bp.route("/calendar/revoke", methods=["POST"])
def revoke_calendar():
    preferences.revoke_calendar_token(current_user)
    flash("日历订阅地址已撤销。", "success")
    return redirect(url_for("notify.settings"))


@calendar.route("/<token>.ics")
def feed(token: str):
    body = calendar_feed.feed(token)
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
