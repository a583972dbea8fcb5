"""The annual assessment (年度考核): ranking and weights for reviewers; units see their
own score (the yearly two-way grading has its own pages, ``annual_grades``)."""

from flask import Blueprint, Response, render_template, request, url_for

from marketplace.auth import page_guard
from marketplace.services.access import sees_own_assessment
from marketplace.services.oversight import assessment, oversight_exports
from marketplace.services.oversight.evidence_reports import evidence_by_unit
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.web.charts import bar_chart
from marketplace.web.exchange.marketplace_helpers import act
from marketplace.web.oversight.compliance import XLSX
from marketplace.web.oversight.oversight_helpers import me, year_arg

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
bp.before_request(page_guard("reviewer", "unit"))


@bp.route("/")
def index():
    year = year_arg()
    scores = assessment.assess(year)
    if sees_own_assessment(me()):
        mine = next((s for s in scores if s.unit.id == me().unit_id), None)
        return render_template(
            "assessment/unit.html",
            year=year,
            mine=mine,
            this_year=county_today().year,
            total=len(scores),
            evidence=evidence_by_unit(year).get(me().unit_id),
        )
    chart = bar_chart(
        [(s.unit.name[:7], s.score) for s in scores[:15]],
        label_width=110,
        title=f"{year} 年度考核得分前 15 名",
    )
    return render_template(
        "assessment/index.html",
        chart=chart,
        year=year,
        scores=scores,
        rule=assessment.year_rule(year),
        ratings=assessment.community_ratings(year),
        communities=assessment.rated_communities(year),
        evidence=evidence_by_unit(year),
    )


@bp.route("/weights", methods=["POST"])
def weights():
    year = request.form.get("year")
    data = request.form.to_dict()
    return act(
        lambda: assessment.set_weights(me(), year, data),
        "权重已保存，得分已按新权重重新计算。",
        target=lambda _: url_for(".index", year=year),
    )


@bp.route("/export.xlsx")
def export():
    year = year_arg()
    content = oversight_exports.assessment_workbook(me(), year)
    headers = {"Content-Disposition": f"attachment; filename=assessment-{year}.xlsx"}
    return Response(content, mimetype=XLSX, headers=headers)
