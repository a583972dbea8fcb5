"""Reviewers: members' 报到率, 选岗率, checklist completion and hours per unit and community."""

from flask import Blueprint, render_template
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.members import member_exports, member_stats
from marketplace.web.downloads import XLSX, attachment
from marketplace.web.members.member_charts import rate_chart
from marketplace.web.members.member_helpers import year_arg

bp = Blueprint("member_review", __name__, url_prefix="/review/members")
bp.before_request(page_guard("reviewer"))


@bp.route("/")
def index():
    year = year_arg()
    units, unit_total = member_stats.unit_sheet(year)
    communities, community_total = member_stats.community_sheet(year)
    chart = rate_chart(
        [(row.name, row.report_rate.share, row.items_rate.share) for row in communities],
        title=f"{year} 年各社区报到与年度清单完成情况",
    )
    return render_template(
        "members/review.html",
        year=year,
        units=units,
        communities=communities,
        unit_total=unit_total,
        community_total=community_total,
        chart=chart,
    )


@bp.route("/export.xlsx")
def export():
    year = year_arg()
    content = member_exports.rates_workbook(current_user, year)
    return attachment(content, XLSX, f"党员报到统计-{year}.xlsx", f"member-rates-{year}.xlsx")
