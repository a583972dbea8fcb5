"""Public pages: home with the county's figures, health check, notifications."""

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from sqlalchemy import text

from marketplace.extensions import db
from marketplace.services.exchange import stats
from marketplace.web.charts import bar_chart

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    figures = stats.county_figures()
    chart = bar_chart(stats.open_needs_by_category(), title="各类别待认领需求数")
    return render_template("main/index.html", figures=figures, chart=chart)


@bp.route("/favicon.ico")
def favicon():
    """Serve the SVG icon to browsers that ask for /favicon.ico before reading the page."""
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure is "unhealthy", never a 500
        db.session.rollback()
        return jsonify(status="unavailable", db=f"error: {type(error).__name__}"), 503
    return jsonify(status="ok", db="ok")
