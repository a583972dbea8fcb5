"""Communities and units see their published pairs, with contacts."""

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.access import has_role
from marketplace.services.pairing.plan_history import published_pairs

bp = Blueprint("pairs", __name__, url_prefix="/pairs")
bp.before_request(page_guard("community", "unit"))


@bp.route("/")
def mine():
    if has_role(current_user, "community"):
        pairs = published_pairs([current_user.community_id])
    else:
        pairs = published_pairs(unit_id=current_user.unit_id)
    return render_template("pairs/mine.html", pairs=pairs, role=current_user.role)
