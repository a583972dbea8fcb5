"""Public detail pages of needs, offers, units and communities (the search hits' URLs)."""

from flask import Blueprint, render_template

from marketplace.services.exchange import offers, pages_queries
from marketplace.services.exchange.needs import NeedFilters, needs_page
from marketplace.services.exchange.offers import OfferFilters
from marketplace.web.exchange.marketplace_helpers import (
    page_args,
    render_need_page,
    viewer,
)
from marketplace.web.exchange.project_charts import latest_percent, progress_bar

bp = Blueprint("listings", __name__)
bp.add_app_template_global(progress_bar, "progress_bar")
bp.add_app_template_global(latest_percent, "latest_percent")


@bp.route("/needs/<int:need_id>")
def need(need_id: int):
    return render_need_page(need_id)


@bp.route("/offers/<int:offer_id>")
def offer(offer_id: int):
    return render_template("listings/offer.html", **pages_queries.offer_page(viewer(), offer_id))


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int):
    profile = pages_queries.unit_profile(unit_id)
    page, per_page = page_args()
    listed = offers.offers_page(viewer(), OfferFilters(unit_id=unit_id), page, per_page)
    return render_template("listings/unit.html", page=listed, **profile)


@bp.route("/communities/<int:community_id>")
def community(community_id: int):
    place = pages_queries.community_profile(community_id)
    page, per_page = page_args()
    listed = needs_page(viewer(), NeedFilters(community_id=community_id), page, per_page)
    return render_template("listings/community.html", community=place, page=listed)
