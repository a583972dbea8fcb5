"""Pair activities and compliance: log, confirm, and the pairs × quarter statuses."""

from flask import jsonify, request

from marketplace import clock
from marketplace.api import api_bp
from marketplace.api.common import json_body
from marketplace.auth import api_login_required, api_user
from marketplace.models import PairActivity
from marketplace.services.oversight import compliance as pair_compliance
from marketplace.services.oversight import pair_activities
from marketplace.services.oversight.oversight_calendar import (
    Quarter,
    check_quarter,
    check_year,
)
from marketplace.services.oversight.oversight_scope import overseen_community_ids


def activity_json(activity: PairActivity) -> dict:
    """Return a pair activity as the API shows it."""
    return {
        "id": activity.id,
        "unit_id": activity.unit_id,
        "community_id": activity.community_id,
        "date": activity.held_on.isoformat(),
        "kind": activity.kind,
        "kind_label": activity.kind_label,
        "title": activity.title,
        "participants": activity.participants,
        "notes": activity.notes,
        "status": activity.status,
        "logged_by": activity.logged_by_side,
    }


@api_bp.post("/pair-activities")
@api_login_required("unit", "community")
def log_pair_activity():
    activity = pair_activities.log_activity(api_user(), json_body())
    return jsonify(activity_json(activity)), 201


@api_bp.post("/pair-activities/<int:activity_id>/confirm")
@api_login_required("unit", "community")
def confirm_pair_activity(activity_id: int):
    return jsonify(activity_json(pair_activities.confirm_activity(api_user(), activity_id)))


@api_bp.get("/compliance")
@api_login_required("reviewer", "township")
def compliance():
    year = check_year(request.args.get("year"))
    quarter = check_quarter(request.args.get("quarter")) or (clock.today().month - 1) // 3 + 1
    rows = pair_compliance.compliance(overseen_community_ids(api_user()), year)
    return jsonify(
        {
            "year": year,
            "quarter": quarter,
            "label": Quarter(year, quarter).label,
            "pairs": [
                {
                    "unit_id": row.pair.unit_id,
                    "community_id": row.pair.community_id,
                    "status": row.cells[quarter],
                    "activities": row.counts[quarter],
                }
                for row in rows
                if row.cells[quarter] != "unpaired"  # not a pair of that quarter
            ],
        }
    )
