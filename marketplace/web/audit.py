"""The audit page (操作日志): administrators and reviewers read who did what, when."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import InvalidInput
from marketplace.services import audit_log
from marketplace.services.audit_log import AuditFilters

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(page_guard("admin", "reviewer"))


@bp.route("/")
def index():
    """List audit entries, newest first, filtered by person, action, object and dates."""
    errors, page = {}, None
    try:
        filters = audit_log.read_filters(request.args)
    except InvalidInput as error:
        errors = getattr(error, "errors", None) or {error.field: error.message}
        filters = AuditFilters()
    else:
        page = audit_log.audit_page(current_user, filters, request.args.get("page", 1, type=int))
    return render_template(
        "audit/index.html",
        page=page,
        args=request.args,
        errors=errors,
        actions=audit_log.action_choices(),
        objects=audit_log.OBJECT_LABELS,
    ), 400 if errors else 200
