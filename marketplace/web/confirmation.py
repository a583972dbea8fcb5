"""Confirmation before irreversible actions: an in-page dialog, or a page without JavaScript.

A guarded form carries ``data-confirm`` (the question) and posts ``confirmed=1`` once the
person has said yes in the dialog (``static/js/confirm.js``). A post without it — no
JavaScript, or a form that forgot — is answered with a page asking the same question,
whose 确定 button re-posts the same fields with ``confirmed=1``; nothing changes until then.
"""

from functools import wraps

from flask import Flask, render_template, request
from flask_login import current_user

from marketplace.web.navigation import home_for, safe_next

# (endpoint, action URL part or None) -> the question asked before doing it
CONFIRMATIONS = {
    (
        "community.withdraw_need",
        None,
    ): "撤回后单位不能再认领此需求，且不能恢复。确定撤回吗？",
    ("community.decline_claim", None): "婉拒后该单位的认领将关闭。确定婉拒吗？",
    ("unit.withdraw_claim", None): "撤回后本单位的认领将关闭，不能恢复。确定撤回认领吗？",
    ("admin.set_active", "disable"): "停用后该账号将立即退出登录，且不能再登录。确定停用吗？",
    (
        "review.transition",
        "publish",
    ): "发布后方案立即生效并通知各结对社区和单位，不能撤销。确定发布吗？",
    ("review.transition", "discard"): "废弃后该方案不能再提交或发布。确定废弃吗？",
    ("booking_desk.answer", "decline"): "婉拒后申请人会收到通知。确定婉拒该预约吗？",
    ("booking_desk.answer", "cancel"): "取消后该时段将释放，申请人会收到通知。确定取消该预约吗？",
    (
        "member_teams.accept_suggestions",
        None,
    ): "将把所有尚未编队的党员编入建议的服务队。确定采纳全部建议吗？",
    (
        "booking_desk.answer_series",
        "decline",
    ): "婉拒后整组重复预约都将关闭，申请人会收到通知。确定婉拒吗？",
}


def confirmation(endpoint: str, action: str | None = None) -> str:
    """Return the question asked before ``endpoint`` (with ``action``), or ''."""
    return CONFIRMATIONS.get((endpoint, action), "")


def confirm_first(view):
    """Answer an unconfirmed POST to a guarded action with a page that asks first."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        question = confirmation(request.endpoint, kwargs.get("action"))
        if question and request.form.get("confirmed") != "1":
            fields = [
                (name, value)
                for name, value in request.form.items(multi=True)
                if name not in ("csrf_token", "confirmed")
            ]
            back = safe_next(request.form.get("next")) or home_for(current_user)
            action = request.full_path if request.query_string else request.path
            return render_template(
                "confirm.html", question=question, action=action, fields=fields, back=back
            )
        return view(*args, **kwargs)

    return wrapped


def init_confirmation(app: Flask) -> None:
    """Make ``confirmation(endpoint, action)`` available to templates."""
    app.add_template_global(confirmation, "confirmation")
