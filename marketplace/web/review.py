"""Pages for the organization department's reviewers (role ``reviewer``)."""

from flask import Blueprint, render_template

from marketplace.auth import require_role
from marketplace.services import listings_overview

bp = Blueprint("review", __name__, url_prefix="/review")
bp.before_request(require_role("reviewer"))


@bp.route("/")
def dashboard():
    return render_template("review/dashboard.html", rows=listings_overview.county_coverage())
