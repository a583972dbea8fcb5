"""The JSON API under /api/v1, authenticated by personal API tokens.

Route modules register on ``api_bp``; they are imported at the bottom of this file.
"""

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

from marketplace.api import (  # noqa: E402,F401  (each module registers its routes)
    assessment,
    attachments,
    bookings,
    claims,
    committee,
    escalations,
    facilities,
    funds,
    hotline,
    meetings,
    members,
    needs,
    notify,
    offers,
    pair_activities,
    pairing_plans,
    pairing_preferences,
    search,
    stats,
    wishes,
)
