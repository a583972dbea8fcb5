"""Pages for unit party secretaries (role ``unit``), own unit only."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from marketplace.auth import page_guard
from marketplace.services.exchange import (
    claim_ratings,
    claims,
    listings_overview,
    offers,
    pages_queries,
)
from marketplace.services.exchange.needs import NeedFilters, needs_page
from marketplace.web.confirmation import confirm_first
from marketplace.web.exchange.marketplace_forms import (
    ClaimForm,
    FacilityOfferForm,
    RatingForm,
    ServiceOfferForm,
)
from marketplace.web.exchange.marketplace_helpers import (
    act,
    form_status,
    need_url,
    page_args,
    progress_view,
    render_need_page,
)

bp = Blueprint("unit", __name__, url_prefix="/unit")
bp.before_request(page_guard("unit"))

FILTER_KEYS = ("category_id", "type_id", "township_id", "community_id")


def _offers_url(_offer=None) -> str:
    return url_for("unit.offers")


def _offer_form(kind: str, **kwargs):
    if kind == "facility":
        return FacilityOfferForm(**kwargs)
    return ServiceOfferForm(type_choices=pages_queries.type_choices(), **kwargs)


@bp.route("/")
def dashboard():
    overview = listings_overview.unit_overview(current_user.unit)
    return render_template("unit/dashboard.html", overview=overview)


@bp.route("/needs")
def browse_needs():
    filters = NeedFilters(
        **{key: request.args.get(key, type=int) for key in FILTER_KEYS},
        status=request.args.get("status", "open") or None,
        q=request.args.get("q") or None,
    )
    page, per_page = page_args()
    result = needs_page(current_user, filters, page, per_page)
    return render_template(
        "unit/browse_needs.html",
        page=result,
        filters=filters,
        choices=pages_queries.filter_choices(),
        paired=pages_queries.paired_community_ids(current_user),
    )


@bp.route("/needs/<int:need_id>/claim", methods=["POST"])
def claim_need(need_id: int):
    form = ClaimForm()
    if not form.validate_on_submit():
        return render_need_page(need_id, claim_form=form, status=400)
    need_page = url_for("listings.need", need_id=need_id)
    return act(
        lambda: claims.claim_need(current_user, need_id, form.quantity.data, form.note.data or ""),
        lambda claim: f"已认领 {claim.quantity}，等待社区确认。",
        form=form,
        page=lambda: render_need_page(need_id, claim_form=form, status=400),
        target=need_page,
        back=need_page,  # not enough left, or the need closed meanwhile
    )


@bp.route("/claims/<int:claim_id>/withdraw", methods=["POST"])
@confirm_first
def withdraw_claim(claim_id: int):
    return act(
        lambda: claims.withdraw_claim(current_user, claim_id), "认领已撤回。", target=need_url
    )


@bp.route("/claims/<int:claim_id>/progress", methods=["GET", "POST"])
def claim_progress(claim_id: int):
    return progress_view(claim_id)


@bp.route("/claims/<int:claim_id>/rate", methods=["GET", "POST"])
def rate_claim(claim_id: int):
    """The unit rates the community's support on a finished project (once)."""
    context = pages_queries.claim_page(current_user, claim_id)
    form = RatingForm()
    if form.validate_on_submit():
        return act(
            lambda: claim_ratings.rate_support(
                current_user, claim_id, form.stars.data, form.comment.data
            ),
            "感谢评价，已通知社区。",
            target=url_for("unit.projects"),
            form=form,
            template="unit/rate.html",
            context=context,
        )
    return render_template("unit/rate.html", form=form, **context), form_status(form)


@bp.route("/offers", endpoint="offers")
def offers_list():  # named so it does not shadow the ``offers`` service module
    status = request.args.get("status") or None
    page, per_page = page_args()
    result = offers.unit_offers_page(current_user, status, page, per_page)
    return render_template("unit/offers.html", page=result, status=status)


@bp.route("/offers/new/facility", methods=["GET", "POST"])
def new_facility():
    return _new_offer("facility")


@bp.route("/offers/new/service", methods=["GET", "POST"])
def new_service():
    return _new_offer("service")


def _new_offer(kind: str):
    form = _offer_form(kind)
    if form.validate_on_submit():
        return act(
            lambda: offers.create_offer(current_user, form.to_data()),
            "资源已发布。",
            form=form,
            template="unit/offer_form.html",
            context={"offer": None, "kind": kind},
            target=_offers_url,
        )
    context = {"form": form, "offer": None, "kind": kind}
    return render_template("unit/offer_form.html", **context), form_status(form)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
def edit_offer(offer_id: int):
    offer = pages_queries.own_offer(current_user, offer_id)
    form = _offer_form(offer.kind, obj=offer)
    if form.validate_on_submit():
        return act(
            lambda: offers.update_offer(current_user, offer_id, form.to_data()),
            "资源已保存。",
            form=form,
            template="unit/offer_form.html",
            context={"offer": offer, "kind": offer.kind},
            target=_offers_url,
        )
    context = {"form": form, "offer": offer, "kind": offer.kind}
    return render_template("unit/offer_form.html", **context), form_status(form)


@bp.route("/offers/<int:offer_id>/publish", methods=["POST"])
def publish_offer(offer_id: int):
    return act(
        lambda: offers.publish_offer(current_user, offer_id), "资源已发布。", target=_offers_url
    )


@bp.route("/offers/<int:offer_id>/withdraw", methods=["POST"])
def withdraw_offer(offer_id: int):
    return act(
        lambda: offers.withdraw_offer(current_user, offer_id), "资源已撤回。", target=_offers_url
    )


@bp.route("/projects")
def projects():
    status = request.args.get("status") or None
    page, per_page = page_args()
    result = claims.projects_page(current_user, status, page, per_page)
    return render_template("unit/projects.html", page=result, status=status)


@bp.route("/ratings")
def ratings():
    return render_template("unit/ratings.html", ratings=claims.unit_ratings(current_user))
