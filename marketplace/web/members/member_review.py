"""Reviewers: members' 报到率, 选岗率, checklist completion and hours per unit and community."""

from flask import Blueprint, render_template

from marketplace.auth import page_guard
from marketplace.services.members import member_stats
from marketplace.web.members.member_charts import rate_chart
from marketplace.web.members.member_helpers import year_arg

bp = Blueprint("member_review", __name__, url_prefix="/review/members")
bp.before_request(page_guard("reviewer"))


@bp.route("/")
def index():
    year = year_arg()
    units = member_stats.unit_rates(year)
    communities = member_stats.community_rates(year)
    chart = rate_chart(
        [(row.name, row.report_rate, row.items_rate) for row in communities],
        title=f"{year} 年各社区报到与年度清单完成情况",
    )
    return render_template(
        "members/review.html",
        year=year,
        units=units,
        communities=communities,
        unit_total=member_stats.totals(units),
        community_total=member_stats.totals(communities),
        chart=chart,
    )
