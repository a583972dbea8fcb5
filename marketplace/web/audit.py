"""The audit page (操作日志): administrators and reviewers read who did what, when."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.errors import InvalidInput
from marketplace.services import audit_labels, audit_log
from marketplace.services.audit_log import AuditFilters

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(page_guard("admin", "reviewer"))


@bp.app_template_filter("audit_action")
def audit_action(action: str) -> str:
    """Name an audit action in Chinese (the record history tables of every domain)."""
    return audit_labels.action_label(action)


@bp.app_template_filter("audit_changes")
def audit_changes(entry, side: str) -> list[tuple[str, str]]:
    """Return an entry's ``before`` or ``after`` data as (label, readable value) pairs."""
    return audit_labels.describe(getattr(entry, side), entry.object_type)


@bp.app_template_filter("audit_person")
def audit_person(entry) -> str:
    """Name who made an entry by display name and role."""
    return audit_labels.person(entry.user, entry.username)


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
