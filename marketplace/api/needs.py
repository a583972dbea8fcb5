"""Needs: list, read, post, edit, publish, withdraw (role community for writes)."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.claims import claim_json
from marketplace.api.common import int_arg, json_body, page_json
from marketplace.auth import api_login_required, api_user
from marketplace.errors import NotAuthenticated
from marketplace.models import Need
from marketplace.services.exchange import claims, needs, suggestions
from marketplace.services.fields import FieldReader


def viewer():
    """Return the token's user, None when anonymous; a bad token is refused, not ignored."""
    user = api_user()
    if user is None and request.headers.get("Authorization"):
        raise NotAuthenticated("无效的 API 令牌。")
    return user


def publish_flag(body: dict) -> bool:
    """Return the body's ``publish`` choice (default yes), refusing values that are not yes/no."""
    reader = FieldReader(body)
    publish = reader.flag("publish", "是否发布", default=True)
    reader.raise_if_invalid()
    return publish


def need_json(need: Need) -> dict:
    """Return a need as the API shows it."""
    community = need.community
    service_type = need.service_type
    return {
        "id": need.id,
        "title": need.title,
        "description": need.description,
        "type_id": need.type_id,
        "type": service_type.name,
        "category_id": service_type.category_id,
        "category": service_type.category.name,
        "community_id": need.community_id,
        "community": community.name,
        "township_id": community.township_id,
        "township": community.township.name,
        "quantity": need.quantity,
        "claimed": need.claimed,
        "remaining": need.remaining,
        "measure_unit": need.measure_unit,
        "measure_label": need.measure_label,
        "starts_on": need.starts_on.isoformat() if need.starts_on else None,
        "ends_on": need.ends_on.isoformat() if need.ends_on else None,
        "urgency": need.urgency,
        "urgency_label": need.urgency_label,
        "status": need.status,
        "status_label": need.status_label,
        "url": f"/needs/{need.id}",
    }


@api_bp.get("/needs")
def list_needs():
    filters = needs.NeedFilters(
        category_id=int_arg("category_id"),
        type_id=int_arg("type_id"),
        township_id=int_arg("township_id"),
        community_id=int_arg("community_id"),
        status=request.args.get("status") or None,
        q=request.args.get("q") or None,
    )
    page = needs.needs_page(
        viewer(), filters, int_arg("page", 1, minimum=1), int_arg("per_page", 20, minimum=1)
    )
    return jsonify(page_json(page, need_json))


@api_bp.get("/needs/<int:need_id>")
def show_need(need_id: int):
    user = viewer()
    need = needs.get_need(user, need_id)
    visible_claims = claims.claims_for_need(user, need_id)
    return jsonify(need_json(need) | {"claims": [claim_json(c) for c in visible_claims]})


@api_bp.post("/needs")
@api_login_required("community")
def create_need():
    body = json_body()
    publish = publish_flag(body)
    need = needs.create_need(api_user(), body, publish=publish)
    need = needs.get_need(api_user(), need.id)
    suggested = [suggestion_json(s) for s in suggestions.suggested_units(need)]
    return jsonify(need_json(need) | {"suggested_units": suggested}), 201


def suggestion_json(suggestion) -> dict:
    """Return a suggested unit for a need: who, why, how far."""
    return {
        "unit_id": suggestion.unit.id,
        "unit": suggestion.unit.name,
        "match": "type" if suggestion.match == 0 else "category",
        "match_label": suggestion.match_label,
        "paired": suggestion.paired,
        "distance_km": suggestion.distance_km,
        "offers": suggestion.offers,
    }


@api_bp.post("/needs/<int:need_id>/invitations")
@api_login_required("community")
def invite_unit(need_id: int):
    unit_id = json_body().get("unit_id")
    unit = suggestions.invite_unit(api_user(), need_id, unit_id if isinstance(unit_id, int) else 0)
    return jsonify(need_id=need_id, unit_id=unit.id, unit=unit.name), 201


@api_bp.patch("/needs/<int:need_id>")
@api_login_required("community")
def update_need(need_id: int):
    need = needs.update_need(api_user(), need_id, json_body())
    return jsonify(need_json(need))


@api_bp.post("/needs/<int:need_id>/publish")
@api_login_required("community")
def publish_need(need_id: int):
    return jsonify(need_json(needs.publish_need(api_user(), need_id)))


@api_bp.post("/needs/<int:need_id>/withdraw")
@api_login_required("community")
def withdraw_need(need_id: int):
    return jsonify(need_json(needs.withdraw_need(api_user(), need_id)))
