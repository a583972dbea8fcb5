"""Public pages: home with the county's figures, health check, notifications."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from marketplace.extensions import db
from marketplace.services import stats
from marketplace.web.charts import bar_chart

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    figures = stats.county_figures()
    chart = bar_chart(stats.open_needs_by_category(), title="各类别待认领需求数")
    return render_template("main/index.html", figures=figures, chart=chart)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure is "unhealthy", never a 500
        db.session.rollback()
        return jsonify(status="unavailable", db=f"error: {type(error).__name__}"), 503
    return jsonify(status="ok", db="ok")
