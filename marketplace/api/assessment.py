"""The annual assessment: per unit its score, rank, 先进单位 eligibility and parts."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.auth import api_login_required
from marketplace.services.oversight import assessment
from marketplace.services.oversight.oversight_calendar import check_year


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
