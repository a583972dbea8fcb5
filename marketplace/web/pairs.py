"""Communities and units see their published pairs, with contacts."""

from flask import Blueprint

bp = Blueprint("pairs", __name__, url_prefix="/pairs")
