"""Escalations: escalate a need, the caller's queue, assign, pass on, answer."""

from flask import jsonify

from marketplace.api import api_bp
from marketplace.api.common import int_arg, json_body, page_json
from marketplace.auth import api_login_required, api_user
from marketplace.models import Escalation
from marketplace.services.oversight import escalation_queues, escalations


def escalation_json(escalation: Escalation) -> dict:
    """Return an escalation as the API shows it."""
    return {
        "id": escalation.id,
        "level": escalation.level,
        "status": escalation.status,
        "need_id": escalation.need_id,
        "action_item_id": escalation.action_item_id,
        "title": escalation.subject,
        "community_id": escalation.community_id,
        "township_id": escalation.township_id,
        "reason": escalation.reason,
        "county_reason": escalation.county_reason,
        "assigned_unit_id": escalation.assigned_unit_id,
        "unit_answer": escalation.unit_answer,
        "created_at": escalation.created_at.isoformat(),
        "age_days": escalation_queues.age_days(escalation),
        "time_limit_days": escalation_queues.time_limit(escalation.level),
        "overdue": escalation_queues.is_overdue(escalation),
    }


@api_bp.post("/needs/<int:need_id>/escalate")
@api_login_required("community")
def escalate_need(need_id: int):
    escalation = escalations.escalate_need(api_user(), need_id, json_body())
    return jsonify(escalation_json(escalation)), 201


@api_bp.get("/escalations")
@api_login_required("community", "township", "reviewer", "unit")
def escalation_queue():
    page = escalation_queues.queue_page(
        api_user(), page=int_arg("page", 1, minimum=1), per_page=int_arg("per_page", 20, minimum=1)
    )
    return jsonify(page_json(page, escalation_json))


@api_bp.post("/escalations/<int:escalation_id>/assign")
@api_login_required("township", "reviewer")
def assign_escalation(escalation_id: int):
    return jsonify(escalation_json(escalations.assign(api_user(), escalation_id, json_body())))


@api_bp.post("/escalations/<int:escalation_id>/escalate")
@api_login_required("township")
def escalate_escalation(escalation_id: int):
    escalation = escalations.escalate_to_county(api_user(), escalation_id, json_body())
    return jsonify(escalation_json(escalation))


@api_bp.post("/escalations/<int:escalation_id>/answer")
@api_login_required("unit")
def answer_escalation(escalation_id: int):
    return jsonify(escalation_json(escalations.answer(api_user(), escalation_id, json_body())))
