"""Pages for unit party secretaries (role ``unit``), own unit only."""

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.auth import require_role
from marketplace.services import listings_overview

bp = Blueprint("unit", __name__, url_prefix="/unit")
bp.before_request(require_role("unit"))


@bp.route("/")
def dashboard():
    overview = listings_overview.unit_overview(current_user.unit)
    return render_template("unit/dashboard.html", overview=overview)
