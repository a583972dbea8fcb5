"""Search over published listings (anonymous): ``GET /api/v1/search``."""

from flask import jsonify, request

from marketplace import search
from marketplace.api import api_bp
from marketplace.api.common import int_arg
from marketplace.errors import InvalidInput
from marketplace.search.schema import KINDS
from marketplace.services.search import search_index

TRUE_WORDS = {"1", "true", "yes", "on"}
HIT_FIELDS = ("kind", "id", "title", "url", "category", "type", "township", "community",
              "owner", "address", "capacity", "free")  # fmt: skip


def _hit_json(hit: dict) -> dict:
    answer = {name: hit.get(name) for name in HIT_FIELDS}
    answer["snippet"] = str(hit["snippet"])  # escaped text; only <mark> is markup
    return answer


@api_bp.get("/search")
def search_listings():
    """Answer a search as JSON: total, one page of results, facets and a suggestion."""
    kind = request.args.get("kind") or None
    if kind and kind not in KINDS:
        raise InvalidInput(f"参数 kind 必须是 {'、'.join(KINDS)} 之一。")
    filters = search.Filters(
        kind=kind,
        category=request.args.get("category") or None,
        type=request.args.get("type") or None,
        township=request.args.get("township") or None,
        community=request.args.get("community") or None,
        min_capacity=int_arg("min_capacity", minimum=1),
        free=request.args.get("free", "").lower() in TRUE_WORDS,
    )
    page = min(int_arg("page", 1, minimum=1), search_index.MAX_PAGE)
    per_page = min(int_arg("per_page", 20, minimum=1), 100)
    try:
        result = search_index.search_listings(
            request.args.get("q", ""), filters, page=page, per_page=per_page
        )
    except search_index.SearchUnavailable as error:
        return jsonify(error=str(error)), 503
    return jsonify(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
        results=[_hit_json(hit) for hit in result.hits],
        facets=result.facets,
        suggestion=result.suggestion,
    )
