"""Read-only look-ups the marketplace pages need beyond the listing services.

Nothing here changes data: choices for selects and filters, and the composition of
the need page (the need, the claims the viewer may see, and its audit history).
"""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import (
    Category,
    Claim,
    Community,
    Evaluation,
    Need,
    Offer,
    Township,
    Unit,
    User,
)
from marketplace.models.claims import OPEN_CLAIM_STATUSES
from marketplace.services.access import has_role, owns, require_owner
from marketplace.services.exchange.need_state import is_claimable
from marketplace.services.exchange.suggestions import matching_needs, suggested_units


def type_choices() -> dict[str, list[tuple[int, str]]]:
    """Return service types grouped by category name, in taxonomy order (for optgroups)."""
    categories = db.session.scalars(
        select(Category).options(selectinload(Category.types)).order_by(Category.position)
    ).all()
    return {c.name: [(t.id, t.name) for t in c.types] for c in categories}


def filter_choices() -> dict[str, list[tuple[int, str]]]:
    """Return the options of the need filters: categories, types, townships, communities."""
    categories = db.session.scalars(
        select(Category).options(selectinload(Category.types)).order_by(Category.position)
    ).all()
    townships = db.session.scalars(select(Township).order_by(Township.name)).all()
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return {
        "categories": [(c.id, c.name) for c in categories],
        "types": [(t.id, f"{c.name} · {t.name}") for c in categories for t in c.types],
        "townships": [(t.id, t.name) for t in townships],
        "communities": [(c.id, c.name) for c in communities],
    }


def need_page(viewer: User | None, need_id: int) -> dict:
    """Return what the need page shows to ``viewer``: the need, claims and history."""
    from marketplace.services import audit
    from marketplace.services.exchange import claims, needs

    need = needs.get_need(viewer, need_id)
    owner = owns(viewer, need)
    is_unit = has_role(viewer, "unit")
    visible_claims = claims.claims_for_need(viewer, need_id) if owner or is_unit else []
    open_claim = next(
        (c for c in visible_claims if is_unit and c.status in OPEN_CLAIM_STATUSES), None
    )
    staff = has_role(viewer, "reviewer", "admin")
    return {
        "need": need,
        "is_owner": owner,
        "claims": visible_claims,
        "open_claim": open_claim,
        "can_claim": is_unit and open_claim is None and is_claimable(need),
        "suggestions": suggested_units(need) if owner and is_claimable(need) else [],
        "history": audit.history("need", need.id) if owner or staff else [],
    }


def offer_page(viewer: User | None, offer_id: int) -> dict:
    """Return an offer the viewer may see, with its audit history for its own unit."""
    from marketplace.services import audit
    from marketplace.services.exchange import offers

    offer = offers.get_offer(viewer, offer_id)
    owner = owns(viewer, offer)
    return {
        "offer": offer,
        "is_owner": owner,
        "matching_needs": matching_needs(offer) if owner and offer.status == "published" else [],
        "history": audit.history("offer", offer.id) if owner else [],
    }


def claim_page(viewer: User, claim_id: int) -> dict:
    """Return a claim the viewer may see, with its audit history."""
    from marketplace.services import audit
    from marketplace.services.exchange import claims

    claim = claims.get_claim(viewer, claim_id)
    return {"claim": claim, "history": audit.history("claim", claim.id)}


def unit_profile(unit_id: int) -> dict:
    """Return a unit for its public page, with its rating average and count."""
    unit = db.session.scalar(
        select(Unit).options(joinedload(Unit.township)).where(Unit.id == unit_id)
    )
    if unit is None:
        raise NotFound("该单位不存在。")
    average, count = db.session.execute(
        select(func.avg(Evaluation.stars), func.count(Evaluation.id))
        .join(Claim, Claim.id == Evaluation.claim_id)
        .where(Claim.unit_id == unit_id)
    ).one()
    return {"unit": unit, "rating_average": average, "rating_count": count}


def community_profile(community_id: int) -> Community:
    """Return a community for its public page, or raise NotFound."""
    community = db.session.scalar(
        select(Community)
        .options(joinedload(Community.township))
        .where(Community.id == community_id)
    )
    if community is None:
        raise NotFound("该社区不存在。")
    return community


def own_need(actor: User, need_id: int):
    """Return a need of the actor's community for its edit form; 404 or 403 otherwise."""
    need = db.session.get(Need, need_id)
    if need is None:
        raise NotFound("该需求不存在。")
    return require_owner(actor, need, "只能编辑本社区的需求。")


def own_offer(actor: User, offer_id: int):
    """Return an offer of the actor's unit for its edit form; 404 or 403 otherwise."""
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        raise NotFound("该资源不存在。")
    return require_owner(actor, offer, "只能编辑本单位的资源。")


def paired_community_ids(actor: User) -> set[int]:
    """Return the communities paired with the actor's unit in the published plan."""
    from marketplace.services.exchange.needs import paired_community_ids as paired_query

    if not has_role(actor, "unit") or not actor.unit_id:
        return set()
    return set(db.session.scalars(paired_query(actor.unit_id)))
