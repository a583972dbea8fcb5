"""Pages for community staff (role ``community``), own community only."""

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.auth import require_role
from marketplace.services import listings_overview

bp = Blueprint("community", __name__, url_prefix="/community")
bp.before_request(require_role("community"))


@bp.route("/")
def dashboard():
    overview = listings_overview.community_overview(current_user.community)
    return render_template("community/dashboard.html", overview=overview)
