"""Compliance (对接活动达标): pairs × quarters for reviewers and townships, with Excel."""

from flask import Blueprint, Response, render_template, url_for

from marketplace.auth import page_guard
from marketplace.services.attachments.attachments import evidence_counts
from marketplace.services.oversight import compliance, oversight_exports, pair_activities
from marketplace.services.oversight.evidence_reports import evidence_by_pair
from marketplace.services.oversight.oversight_calendar import QUARTERS
from marketplace.services.oversight.oversight_scope import overseen_community_ids
from marketplace.web.oversight.oversight_charts import pair_quarter_grid
from marketplace.web.oversight.oversight_helpers import me, year_arg

bp = Blueprint("compliance", __name__, url_prefix="/compliance")
bp.before_request(page_guard("reviewer", "township"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
def matrix():
    year = year_arg()
    community_ids = overseen_community_ids(me())
    rows = compliance.compliance(community_ids, year)
    chart = pair_quarter_grid(
        rows,
        QUARTERS,
        compliance.COMPLIANCE_STATUSES,
        lambda r, q: url_for(
            ".pair", unit_id=r.pair.unit_id, community_id=r.pair.community_id, year=year
        ),
        f"{year} 年各社区结对单位每季度对接活动达标情况",
    )
    totals = {
        status: sum(list(r.cells.values()).count(status) for r in rows)
        for status in compliance.COMPLIANCE_STATUSES
    }
    return render_template(
        "compliance/matrix.html",
        rows=rows,
        year=year,
        chart=chart,
        totals=totals,
        labels=compliance.COMPLIANCE_STATUSES,
        quarters=QUARTERS,
        evidence=evidence_by_pair(community_ids, year),
    )


@bp.route("/pairs/<int:unit_id>/<int:community_id>")
def pair(unit_id: int, community_id: int):
    year = year_arg()
    current, activities = pair_activities.pair_year(me(), unit_id, community_id, year)
    return render_template(
        "compliance/pair.html",
        activities=activities,
        year=year,
        current=current,
        labels=compliance.COMPLIANCE_STATUSES,
        photos=evidence_counts("pair_activity", [item.id for item in activities]),
    )


@bp.route("/export.xlsx")
def export():
    year = year_arg()
    content = oversight_exports.compliance_workbook(me(), year)
    headers = {"Content-Disposition": f"attachment; filename=compliance-{year}.xlsx"}
    return Response(content, mimetype=XLSX, headers=headers)
