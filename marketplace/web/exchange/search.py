"""Public search pages: results with facets, and the facility finder."""

from flask import Blueprint, render_template, request

from marketplace import search
from marketplace.errors import InvalidInput
from marketplace.services.exchange import facility_finder
from marketplace.services.search import search_index
from marketplace.web.exchange.finder_forms import FacilityFinderForm, choices

bp = Blueprint("search", __name__)

KIND_LABELS = {
    "need": "社区需求",
    "facility": "场地设施",
    "service": "服务项目",
    "unit": "驻区单位",
    "community": "社区",
}
FACET_LABELS = {"kind": "类型", "category": "类别", "township": "乡镇/街道"}


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return min(int(page), search_index.MAX_PAGE) if page.isdigit() and int(page) > 0 else 1


@bp.route("/search")
def results():
    """Show one page of search hits with facets, or say the index is being rebuilt."""
    text = request.args.get("q", "").strip()
    kind = request.args.get("kind") or None
    filters = search.Filters(
        kind=kind if kind in KIND_LABELS else None,
        category=request.args.get("category") or None,
        township=request.args.get("township") or None,
    )
    result, unavailable = None, None
    try:
        result = search_index.search_listings(text, filters, page=_page_arg())
    except search_index.SearchUnavailable as error:
        unavailable = str(error)
    return render_template(
        "search/results.html",
        text=text,
        filters=filters,
        result=result,
        unavailable=unavailable,
        kind_labels=KIND_LABELS,
        facet_labels=FACET_LABELS,
    )


@bp.route("/facilities")
def facilities():
    """Show the facility finder and the facilities free when and where asked."""
    form = FacilityFinderForm(request.args)
    form.township_id.choices = choices((0, "全部"), *facility_finder.township_choices())
    form.near.choices = choices((0, "不限"), *facility_finder.community_choices())
    result = None
    if form.validate():
        try:
            filters = facility_finder.read_filters(request.args)
        except InvalidInput as error:
            for field, message in (
                getattr(error, "errors", None) or {error.field: error.message}
            ).items():
                form.attach(field, message)
        else:
            result = facility_finder.find_facilities(filters, _page_arg())
    status = 400 if form.errors else 200
    return render_template("search/facilities.html", form=form, result=result), status
