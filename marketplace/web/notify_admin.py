"""「消息通道」 for administrators: channel states, test messages, the queue, dead letters."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import InvalidInput
from marketplace.models.deliveries import DELIVERY_CHANNELS, DELIVERY_STATUSES
from marketplace.services.exchange import directory
from marketplace.services.notify import channels, delivery_desk, preferences
from marketplace.web.charts import bar_chart
from marketplace.web.exchange.marketplace_forms import attach_error
from marketplace.web.exchange.marketplace_helpers import form_status, page_args
from marketplace.web.notify_forms import AdminGroupWebhookForm, OptOutForm, TestMessageForm

bp = Blueprint("notify_admin", __name__, url_prefix="/admin/channels")
bp.before_request(page_guard("admin"))


CHART_STATES = ("queued", "sent", "dead")


def _queue_chart(counts: dict):
    """Draw each channel's queued, sent and failed deliveries (None while all are zero)."""
    rows = [
        (f"{DELIVERY_CHANNELS[channel]}·{DELIVERY_STATUSES[state]}", counts[channel][state])
        for channel in DELIVERY_CHANNELS
        for state in CHART_STATES
    ]
    if not any(value for _, value in rows):
        return None
    return bar_chart(rows, title="各通道投递情况", label_width=130)


def _page(test_form=None, opt_out_form=None, hook_form=None, status: int = 200):
    page, per_page = page_args()
    state = request.args.get("status", "")
    if state not in DELIVERY_STATUSES:
        state = ""
    communities, _units, townships = directory.places()
    if hook_form is None:
        hook_form = AdminGroupWebhookForm(formdata=None)
        hook_form.set_groups(communities, townships)
    counts = delivery_desk.status_counts()
    return render_template(
        "notifications/channels.html",
        states=channels.channel_states(),
        counts=counts,
        chart=_queue_chart(counts),
        channel_labels=DELIVERY_CHANNELS,
        status_labels=DELIVERY_STATUSES,
        deliveries=delivery_desk.deliveries_page(state, page, per_page),
        status=state,
        test_form=test_form or TestMessageForm(formdata=None),
        opt_out_form=opt_out_form or OptOutForm(formdata=None),
        hook_form=hook_form,
        hooks=preferences.all_group_webhooks(),
    ), status


@bp.route("/")
def index():
    return _page()


@bp.route("/test", methods=["POST"])
def send_test():
    form = TestMessageForm()
    if form.validate_on_submit():
        try:
            row = delivery_desk.send_test(current_user, form.channel.data, form.address.data)
        except InvalidInput as error:
            attach_error(form, error)
        else:
            flash(f"测试消息已排队（#{row.id}），稍后查看发送结果。", "success")
            return redirect(url_for("notify_admin.index"))
    return _page(test_form=form, status=form_status(form))


@bp.route("/<int:delivery_id>/retry", methods=["POST"])
def retry(delivery_id: int):
    row = delivery_desk.retry(current_user, delivery_id)
    flash(f"投递 #{row.id} 已重新排队。", "success")
    return redirect(url_for("notify_admin.index", status="dead"))


@bp.route("/webhooks", methods=["POST"])
def set_webhook():
    form = AdminGroupWebhookForm()
    communities, _units, townships = directory.places()
    form.set_groups(communities, townships)
    if form.validate_on_submit():
        try:
            hook = preferences.set_group_webhook(current_user, {**form.data, **form.group_ids()})
        except InvalidInput as error:
            attach_error(form, error)
        else:
            flash("群机器人已保存。" if hook else "群机器人已删除。", "success")
            return redirect(url_for("notify_admin.index"))
    return _page(hook_form=form, status=400)


@bp.route("/opt-out", methods=["POST"])
def opt_out():
    form = OptOutForm()
    if form.validate_on_submit():
        try:
            added = delivery_desk.opt_out(form.phone.data, current_user)
        except InvalidInput as error:
            attach_error(form, error)
        else:
            flash("已加入短信退订名单。" if added else "该号码已在退订名单中。", "success")
            return redirect(url_for("notify_admin.index"))
    return _page(opt_out_form=form, status=400)
