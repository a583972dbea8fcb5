"""The facility finder as JSON: ``GET /api/v1/facilities`` (anonymous)."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import int_arg
from marketplace.models import Offer
from marketplace.services.exchange import facility_finder


def _clock(value):
    return value.strftime("%H:%M") if value else None


def facility_json(offer: Offer, distance: float | None) -> dict:
    """Return a facility as the finder lists it (no personal data)."""
    unit = offer.unit
    return {
        "id": offer.id,
        "unit_id": offer.unit_id,
        "unit": unit.name,
        "title": offer.title,
        "facility_kind": offer.facility_kind,
        "facility_label": offer.facility_label,
        "capacity": offer.capacity,
        "address": offer.address or unit.address,
        "township_id": unit.township_id,
        "township": unit.township.name if unit.township else None,
        "open_weekdays": [day for day in range(7) if offer.open_weekdays & (1 << day)],
        "open_from": _clock(offer.open_from),
        "open_until": _clock(offer.open_until),
        "opening_label": offer.opening_label,
        "is_free": offer.is_free,
        "distance_km": distance,
        "url": f"/offers/{offer.id}",
    }


@api_bp.get("/facilities")
def find_facilities():
    """List the public facilities free on ``date`` from ``start`` to ``end``, nearest first."""
    filters = facility_finder.read_filters(request.args)
    result = facility_finder.find_facilities(
        filters, int_arg("page", 1, minimum=1), int_arg("per_page", 20, minimum=1)
    )
    page = result.page
    return jsonify(
        total=page.total,
        page=page.page,
        per_page=page.per_page,
        pages=page.pages,
        period=result.period or None,
        facilities=[facility_json(o, result.distances.get(o.id)) for o in page.items],
    )
