"""Offers: list, read, post, edit, publish, withdraw (role unit for writes)."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import int_arg, json_body, page_json
from marketplace.api.needs import publish_flag, viewer
from marketplace.auth import api_login_required, api_user
from marketplace.models import Offer
from marketplace.services.exchange import offers, suggestions


def _clock(value):
    return value.strftime("%H:%M") if value else None


def offer_json(offer: Offer) -> dict:
    """Return an offer as the API shows it."""
    unit = offer.unit
    service_type = offer.service_type
    facility = offer.kind == "facility"
    return {
        "id": offer.id,
        "kind": offer.kind,
        "title": offer.title,
        "description": offer.description,
        "type_id": offer.type_id,
        "type": service_type.name,
        "category_id": service_type.category_id,
        "category": service_type.category.name,
        "unit_id": offer.unit_id,
        "unit": unit.name,
        "township_id": unit.township_id,
        "township": unit.township.name if unit.township else None,
        "facility_kind": offer.facility_kind,
        "facility_label": offer.facility_label if facility else None,
        "capacity": offer.capacity,
        "address": offer.address,
        "open_weekdays": [day for day in range(7) if offer.open_weekdays & (1 << day)],
        "open_from": _clock(offer.open_from),
        "open_until": _clock(offer.open_until),
        "opening_label": offer.opening_label,
        "is_free": offer.is_free if facility else None,
        "is_public": offer.is_public if facility else None,
        "monthly_quantity": offer.monthly_quantity,
        "status": offer.status,
        "status_label": offer.status_label,
        "url": f"/offers/{offer.id}",
    }


def _flag_arg(name: str) -> bool:
    return (request.args.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


@api_bp.get("/offers")
def list_offers():
    filters = offers.OfferFilters(
        kind=request.args.get("kind") or None,
        facility_kind=request.args.get("facility_kind") or None,
        category_id=int_arg("category_id"),
        type_id=int_arg("type_id"),
        township_id=int_arg("township_id"),
        unit_id=int_arg("unit_id"),
        free_only=_flag_arg("free_only"),
        min_capacity=int_arg("min_capacity", minimum=1),
        q=request.args.get("q") or None,
    )
    page = offers.offers_page(
        viewer(), filters, int_arg("page", 1, minimum=1), int_arg("per_page", 20, minimum=1)
    )
    return jsonify(page_json(page, offer_json))


@api_bp.get("/offers/<int:offer_id>")
def show_offer(offer_id: int):
    return jsonify(offer_json(offers.get_offer(viewer(), offer_id)))


@api_bp.post("/offers")
@api_login_required("unit")
def create_offer():
    body = json_body()
    publish = publish_flag(body)
    offer = offers.create_offer(api_user(), body, publish=publish)
    offer = offers.get_offer(api_user(), offer.id)
    serves = [
        {"need_id": s.need.id, "title": s.need.title, "community": s.need.community.name,
         "remaining": s.need.remaining, "match": "type" if s.match == 0 else "category",
         "paired": s.paired, "distance_km": s.distance_km}
        for s in suggestions.matching_needs(offer)
    ]  # fmt: skip
    return jsonify(offer_json(offer) | {"matching_needs": serves}), 201


@api_bp.patch("/offers/<int:offer_id>")
@api_login_required("unit")
def update_offer(offer_id: int):
    return jsonify(offer_json(offers.update_offer(api_user(), offer_id, json_body())))


@api_bp.post("/offers/<int:offer_id>/publish")
@api_login_required("unit")
def publish_offer(offer_id: int):
    return jsonify(offer_json(offers.publish_offer(api_user(), offer_id)))


@api_bp.post("/offers/<int:offer_id>/withdraw")
@api_login_required("unit")
def withdraw_offer(offer_id: int):
    return jsonify(offer_json(offers.withdraw_offer(api_user(), offer_id)))
