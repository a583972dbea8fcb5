"""The annual assessment: per unit its score, rank, 先进单位 eligibility and parts."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import json_body
from marketplace.auth import api_login_required, api_user
from marketplace.models import UnitGrade
from marketplace.services.oversight import annual_grades, assessment
from marketplace.services.oversight.oversight_calendar import check_year, county_today


@api_bp.get("/assessment")
@api_login_required("reviewer")
def annual_assessment():
    year = check_year(request.args.get("year"))
    scores = assessment.assess(year)
    return jsonify(
        {
            "year": year,
            "eligible_quarters": assessment.year_rule(year).eligible_quarters,
            "units": [
                {
                    "unit_id": entry.unit.id,
                    "unit": entry.unit.name,
                    "score": entry.score,
                    "rank": entry.rank,
                    "eligible": entry.eligible,
                    "parts": [
                        {"name": p.name, "label": p.label, "value": p.value, "weight": p.weight}
                        for p in entry.parts
                    ],
                }
                for entry in scores
            ],
        }
    )


@api_bp.post("/annual-grades")
@api_login_required("community", "unit")
def annual_grade():
    """A community grades a paired unit (``unit_id``), a unit a paired community
    (``community_id``): ``{"year", "stars": 1-5, "comment"}``, once per pair and year."""
    row = annual_grades.grade(api_user(), json_body())
    return jsonify(
        {
            "id": row.id,
            "year": row.year,
            "unit_id": row.unit_id,
            "community_id": row.community_id,
            "grader": "community" if isinstance(row, UnitGrade) else "unit",
            "stars": row.stars,
            "comment": row.comment,
        }
    ), 201


@api_bp.get("/annual-grades")
@api_login_required("community", "unit")
def annual_grade_list():
    """The pairs the caller grades in ``?year=`` (this year by default) and its grades."""
    year = check_year(request.args.get("year") or county_today().year)
    rows = annual_grades.grade_rows(api_user(), year)
    return jsonify(
        {
            "year": year,
            "pairs": [
                {
                    "id": row.other_id,
                    "name": row.other_name,
                    "stars": row.grade.stars if row.grade else None,
                    "comment": row.grade.comment if row.grade else None,
                }
                for row in rows
            ],
        }
    )
