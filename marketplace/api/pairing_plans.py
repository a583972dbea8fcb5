"""Pairing plans: create, read, adjust, submit, approve, publish; a community's published pairs."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import json_body
from marketplace.auth import api_login_required, api_user
from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import Community
from marketplace.services.access import may_review_plans, may_see_plan
from marketplace.services.pairing import pairing_plans, plan_changes, plan_reports, plan_stability
from marketplace.services.pairing.plan_history import published_pairs
from marketplace.services.pairing.plan_inputs import PlanInfeasible, PlanInputs


@api_bp.errorhandler(PlanInfeasible)
def infeasible(error: PlanInfeasible):
    db.session.rollback()
    return jsonify(error=error.message, short_communities=error.community_ids), error.status


@api_bp.post("/pairing-plans")
@api_login_required("reviewer")
def create_plan():
    data = json_body()
    county_id = data.get("county_id")
    if not isinstance(county_id, int) or isinstance(county_id, bool):
        county_id = pairing_plans.default_county().id
    inputs = PlanInputs.from_json(data)
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    plan = pairing_plans.create_plan(api_user(), county_id, inputs, title)
    return jsonify(plan_reports.plan_to_json(plan)), 201


@api_bp.get("/pairing-plans/<int:plan_id>")
@api_login_required()
def get_plan(plan_id: int):
    plan = pairing_plans.get_plan(plan_id)
    # Drafts are internal to the organization department; others see published plans.
    if not may_see_plan(api_user(), plan):
        raise NotFound("结对方案不存在。")
    answer = plan_reports.plan_to_json(plan)
    if may_review_plans(api_user()):
        answer["consequences"] = plan_changes.plan_consequences(plan).to_json()
    blocking = plan_stability.plan_blocking_pairs(plan.id)
    answer["blocking_pairs"] = plan_stability.blocking_to_json(blocking)
    return jsonify(answer)


@api_bp.get("/pairing-plans/<int:plan_id>/stable")
@api_login_required("reviewer")
def stable_plan(plan_id: int):
    proposing = request.args.get("proposing", "units")
    comparison = plan_stability.compare_with_stable(plan_id, proposing)
    return jsonify(plan_stability.stable_to_json(comparison))


@api_bp.post("/pairing-plans/<int:plan_id>/adjustments")
@api_login_required("reviewer")
def adjust_plan(plan_id: int):
    data = json_body()
    payload = {
        key: data.get(key)
        for key in ("unit_id", "community_id", "other_unit_id")
        if isinstance(data.get(key), int)
    }
    plan = pairing_plans.adjust_plan(api_user(), plan_id, str(data.get("kind", "")), payload)
    return jsonify(plan_reports.plan_to_json(plan))


def _transition(service, plan_id: int):
    plan = service(api_user(), plan_id)
    answer = plan_reports.plan_to_json(plan)
    answer["consequences"] = plan_changes.plan_consequences(plan).to_json()
    return jsonify(answer)


@api_bp.post("/pairing-plans/<int:plan_id>/submit")
@api_login_required("reviewer")
def submit_plan(plan_id: int):
    return _transition(pairing_plans.submit_plan, plan_id)


@api_bp.post("/pairing-plans/<int:plan_id>/approve")
@api_login_required("reviewer")
def approve_plan(plan_id: int):
    return _transition(pairing_plans.approve_plan, plan_id)


@api_bp.post("/pairing-plans/<int:plan_id>/publish")
@api_login_required("reviewer")
def publish_plan(plan_id: int):
    return _transition(pairing_plans.publish_plan, plan_id)


@api_bp.get("/communities/<int:community_id>/pairs")
@api_login_required()
def community_pairs(community_id: int):
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound("社区不存在。")
    pairs = published_pairs([community_id])
    return jsonify(
        {
            "community_id": community.id,
            "community": community.name,
            "plan_id": pairs[0].plan_id if pairs else None,
            "units": [
                {
                    "id": pair.unit.id,
                    "name": pair.unit.name,
                    "kind": pair.unit.kind,
                    "address": pair.unit.address,
                    "contact_name": pair.unit.contact_name,
                    "contact_phone": pair.unit.contact_phone,
                    "score": round(pair.score, 6),
                }
                for pair in pairs
            ],
        }
    )
