"""County figures for dashboards and integrations (anonymous)."""

from flask import jsonify

from marketplace.api import api_bp
from marketplace.services.exchange import stats


@api_bp.get("/stats")
def county_stats():
    return jsonify(stats.county_figures())
