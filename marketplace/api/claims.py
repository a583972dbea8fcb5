"""Claims: claim a need, accept/decline/withdraw, progress, done, rating; the project list."""

from flask import jsonify, request

from marketplace.api import api_bp
from marketplace.api.common import int_arg, json_body, optional_json_body, page_json
from marketplace.auth import api_login_required, api_user
from marketplace.models import Claim, Evaluation, ProgressReport, SupportRating
from marketplace.services.exchange import claim_ratings, claims


def _iso(value):
    return value.isoformat() if value else None


def report_json(report: ProgressReport) -> dict:
    return {
        "id": report.id,
        "percent": report.percent,
        "note": report.note,
        "created_at": _iso(report.created_at),
    }


def rating_json(rating: Evaluation | SupportRating | None) -> dict | None:
    """Return either side's rating of a claim; ``side`` says whose it is."""
    if rating is None:
        return None
    return {
        "id": rating.id,
        "claim_id": rating.claim_id,
        "side": "unit" if isinstance(rating, SupportRating) else "community",
        "stars": rating.stars,
        "comment": rating.comment,
        "created_at": _iso(rating.created_at),
    }


def claim_json(claim: Claim) -> dict:
    """Return a claim as the API shows it."""
    need = claim.need
    return {
        "id": claim.id,
        "need_id": claim.need_id,
        "need_title": need.title,
        "community": need.community.name,
        "unit_id": claim.unit_id,
        "unit": claim.unit.name,
        "quantity": claim.quantity,
        "measure_unit": need.measure_unit,
        "note": claim.note,
        "status": claim.status,
        "status_label": claim.status_label,
        "created_at": _iso(claim.created_at),
        "reports": [report_json(report) for report in claim.reports],
        "evaluation": rating_json(claim.evaluation),
        "support_rating": rating_json(claim.support_rating),
        "url": f"/needs/{claim.need_id}",
    }


@api_bp.get("/claims")
@api_login_required("community", "unit")
def list_claims():
    page = claims.projects_page(
        api_user(),
        request.args.get("status") or None,
        int_arg("page", 1, minimum=1),
        int_arg("per_page", 20, minimum=1),
    )
    return jsonify(page_json(page, claim_json))


@api_bp.get("/claims/<int:claim_id>")
@api_login_required("community", "unit")
def show_claim(claim_id: int):
    return jsonify(claim_json(claims.get_claim(api_user(), claim_id)))


@api_bp.post("/needs/<int:need_id>/claims")
@api_login_required("unit")
def claim_need(need_id: int):
    body = json_body()
    claim = claims.claim_need(api_user(), need_id, body.get("quantity"), body.get("note") or "")
    return jsonify(claim_json(claim)), 201


@api_bp.post("/claims/<int:claim_id>/accept")
@api_login_required("community")
def accept_claim(claim_id: int):
    return jsonify(claim_json(claims.accept_claim(api_user(), claim_id)))


@api_bp.post("/claims/<int:claim_id>/decline")
@api_login_required("community")
def decline_claim(claim_id: int):
    reason = optional_json_body().get("reason") or ""
    return jsonify(claim_json(claims.decline_claim(api_user(), claim_id, reason)))


@api_bp.post("/claims/<int:claim_id>/withdraw")
@api_login_required("unit")
def withdraw_claim(claim_id: int):
    return jsonify(claim_json(claims.withdraw_claim(api_user(), claim_id)))


@api_bp.post("/claims/<int:claim_id>/progress")
@api_login_required("community", "unit")
def report_progress(claim_id: int):
    body = json_body()
    report = claims.report_progress(api_user(), claim_id, body.get("note"), body.get("percent"))
    return jsonify(report_json(report) | {"claim_id": claim_id}), 201


@api_bp.post("/claims/<int:claim_id>/done")
@api_login_required("community")
def complete_claim(claim_id: int):
    return jsonify(claim_json(claims.complete_claim(api_user(), claim_id)))


@api_bp.post("/claims/<int:claim_id>/rating")
@api_login_required("community", "unit")
def rate_claim(claim_id: int):
    """The community rates the unit's work, the unit the community's support; once each."""
    body = json_body()
    rating = claim_ratings.rate(api_user(), claim_id, body.get("stars"), body.get("comment") or "")
    return jsonify(rating_json(rating)), 201
