"""Communities and units see their published pairs, with contacts."""

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.access import has_role
from marketplace.services.pairing import plan_reports

bp = Blueprint("pairs", __name__, url_prefix="/pairs")
bp.before_request(page_guard("community", "unit"))


@bp.route("/")
def mine():
    if has_role(current_user, "community"):
        pairs = plan_reports.published_pairs(community_id=current_user.community_id)
    else:
        pairs = plan_reports.published_pairs(unit_id=current_user.unit_id)
    return render_template("pairs/mine.html", pairs=pairs, role=current_user.role)
