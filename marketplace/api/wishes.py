"""微心愿 API: the public wall, posting (staff), claim (member or unit), fulfil, confirm."""

from flask import jsonify, request, url_for

from marketplace.api import api_bp
from marketplace.api.common import int_arg, json_body, page_json
from marketplace.auth import api_login_required, api_user
from marketplace.models.wishes import Wish
from marketplace.services.wishes import wishes


def _day(value):
    return value.isoformat() if value else None


def wish_json(wish: Wish) -> dict:
    """Return a wish as anyone may see it: the resident masked, no address, no phone."""
    return {
        "id": wish.id,
        "title": wish.title,
        "description": wish.description,
        "value_yuan": wish.value_yuan,
        "resident": wish.resident_masked,
        "community_id": wish.community_id,
        "community": wish.community.name,
        "deadline": _day(wish.deadline),
        "status": wish.status,
        "status_label": wish.status_label,
        "claimer": wish.claimer_label or None,
        "claimer_kind": wish.claimer_kind,
        "claimed_at": _day(wish.claimed_at),
        "fulfil_note": wish.fulfil_note if wish.status in ("fulfilled", "confirmed") else "",
        "fulfilled_on": _day(wish.fulfilled_on),
        "thanks": wish.thanks if wish.status == "confirmed" else "",
        "url": url_for("wishes.detail", wish_id=wish.id),
    }


@api_bp.get("/wishes")
def list_wishes():
    filters = wishes.WishFilters(
        status=request.args.get("status") or None,
        community_id=int_arg("community_id", minimum=1),
    )
    page = wishes.wall_page(
        filters, int_arg("page", 1, minimum=1), int_arg("per_page", 20, minimum=1)
    )
    return jsonify(page_json(page, wish_json))


@api_bp.get("/wishes/<int:wish_id>")
def show_wish(wish_id: int):
    return jsonify(wish_json(wishes.get_wish(wish_id)))


@api_bp.post("/wishes")
@api_login_required("community")
def post_wish():
    return jsonify(wish_json(wishes.post_wish(api_user(), json_body()))), 201


@api_bp.post("/wishes/<int:wish_id>/claim")
@api_login_required("member", "unit")
def claim_wish(wish_id: int):
    return jsonify(wish_json(wishes.claim_wish(api_user(), wish_id))), 201


@api_bp.post("/wishes/<int:wish_id>/fulfil")
@api_login_required("member", "unit")
def fulfil_wish(wish_id: int):
    body = json_body()
    wish = wishes.fulfil_wish(api_user(), wish_id, body.get("note"), body.get("fulfilled_on"))
    return jsonify(wish_json(wish))


@api_bp.post("/wishes/<int:wish_id>/confirm")
@api_login_required("community")
def confirm_wish(wish_id: int):
    body = request.get_json(silent=True)
    thanks = body.get("thanks") if isinstance(body, dict) else ""
    return jsonify(wish_json(wishes.confirm_wish(api_user(), wish_id, thanks or "")))
