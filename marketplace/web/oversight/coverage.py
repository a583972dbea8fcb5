"""Coverage (需求覆盖): communities × the 12 categories as a heat map, with drill-down."""

from flask import Blueprint, render_template, url_for

from marketplace.auth import page_guard
from marketplace.services.oversight import coverage
from marketplace.web.oversight.oversight_charts import coverage_heatmap
from marketplace.web.oversight.oversight_helpers import me

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
bp.before_request(page_guard("reviewer", "township"))


@bp.route("/")
def heatmap():
    grid = coverage.coverage_grid(me())
    chart = coverage_heatmap(
        grid,
        lambda community_id, category_id: url_for(
            ".cell", community_id=community_id, category_id=category_id
        ),
    )
    return render_template("coverage/heatmap.html", grid=grid, chart=chart)


@bp.route("/<int:community_id>/<int:category_id>")
def cell(community_id: int, category_id: int):
    detail = coverage.coverage_detail(me(), community_id, category_id)
    return render_template("coverage/cell.html", buckets=coverage.BUCKETS, **detail)
