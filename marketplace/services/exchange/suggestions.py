"""Suggested counterparts while posting: units for a new need, needs for a new offer.

A need's suggested units are those with a published service of the same type, then of
the same category; within each, units paired with the need's community in the published
plan first, then the nearest. A community can invite a suggested unit in one click (a
notification, audited). An offer's matching needs are the claimable needs of its type,
then its category, the unit's paired communities first, then the nearest.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.models import (
    Claim,
    Community,
    Need,
    NeedInvitation,
    Offer,
    ServiceType,
    Unit,
    User,
)
from marketplace.models.claims import OPEN_CLAIM_STATUSES
from marketplace.services import audit
from marketplace.services.access import require_manage, require_role, valid_id
from marketplace.services.exchange.facility_finder import distance_km
from marketplace.services.exchange.need_queries import need_options, paired_community_ids
from marketplace.services.exchange.need_state import claimable_clause, is_claimable
from marketplace.services.notifications import notify, staff_of
from marketplace.services.pairing.plan_history import published_pairs

SUGGESTION_LIMIT = 8
MATCH_LABELS = {0: "同类型服务", 1: "同类别服务"}


@dataclass
class UnitSuggestion:
    unit: Unit
    match: int  # 0 = same type, 1 = same category
    paired: bool
    distance_km: float | None
    offers: list[str]

    @property
    def match_label(self) -> str:
        return MATCH_LABELS[self.match]


@dataclass
class NeedSuggestion:
    need: Need
    match: int
    paired: bool
    distance_km: float | None

    @property
    def match_label(self) -> str:
        return "同类型需求" if self.match == 0 else "同类别需求"


def _km(a, b) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    return round(distance_km(a.latitude, a.longitude, b.latitude, b.longitude), 1)


def _rank(match: int, paired: bool, km: float | None) -> tuple:
    return (match, not paired, km is None, km or 0.0)


def _paired_units(community_id: int) -> set[int]:
    return {pair.unit_id for pair in published_pairs([community_id], with_places=False)}


def suggested_units(need: Need, limit: int = SUGGESTION_LIMIT) -> list[UnitSuggestion]:
    """Return the units best placed to take ``need``, best first."""
    category_id = need.service_type.category_id
    offers = db.session.scalars(
        select(Offer)
        .join(ServiceType, ServiceType.id == Offer.type_id)
        .options(joinedload(Offer.unit))
        .where(
            Offer.status == "published",
            Offer.kind == "service",
            ServiceType.category_id == category_id,
        )
        .order_by(Offer.id)
    ).all()
    paired = _paired_units(need.community_id)
    by_unit: dict[int, UnitSuggestion] = {}
    for offer in offers:
        match = 0 if offer.type_id == need.type_id else 1
        entry = by_unit.get(offer.unit_id)
        if entry is None:
            entry = by_unit[offer.unit_id] = UnitSuggestion(
                offer.unit, match, offer.unit_id in paired, _km(offer.unit, need.community), []
            )
        entry.match = min(entry.match, match)
        entry.offers.append(offer.title)
    ranked = sorted(
        by_unit.values(), key=lambda s: (*_rank(s.match, s.paired, s.distance_km), s.unit.id)
    )
    return ranked[:limit]


def matching_needs(offer: Offer, limit: int = SUGGESTION_LIMIT) -> list[NeedSuggestion]:
    """Return the claimable needs a service offer could serve, best first."""
    if offer.kind != "service":
        return []
    category_id = offer.service_type.category_id
    needs = db.session.scalars(
        select(Need)
        .join(ServiceType, ServiceType.id == Need.type_id)
        .options(*need_options())
        .where(claimable_clause(), ServiceType.category_id == category_id)
    ).all()
    paired = set(db.session.scalars(paired_community_ids(offer.unit_id)))
    ranked = [
        NeedSuggestion(
            need,
            0 if need.type_id == offer.type_id else 1,
            need.community_id in paired,
            _km(offer.unit, need.community),
        )
        for need in needs
    ]
    ranked.sort(
        key=lambda s: (*_rank(s.match, s.paired, s.distance_km), -s.need.urgency, s.need.id)
    )
    return ranked[:limit]


def invite_unit(actor: User, need_id: int, unit_id: int) -> Unit:
    """Invite a unit to claim one of the actor's community's open needs (a notification)."""
    require_role(actor, "community")
    need = db.session.get(Need, need_id) if valid_id(need_id) else None
    if need is None:
        raise NotFound("需求不存在。")
    require_manage(actor, need, "只能为本社区的需求邀请单位。")
    unit = db.session.get(Unit, unit_id) if valid_id(unit_id) else None
    if unit is None:
        raise NotFound("单位不存在。")
    if not is_claimable(need):
        raise Conflict(f"该需求当前为「{need.status_label}」，没有可认领的数量，无需邀请。")
    already = db.session.scalar(
        select(Claim.id).where(
            Claim.need_id == need.id,
            Claim.unit_id == unit.id,
            Claim.status.in_(OPEN_CLAIM_STATUSES),
        )
    )
    if already is not None:
        raise Conflict(f"{unit.name}已认领该需求，无需邀请。")
    invitation = NeedInvitation(need_id=need.id, unit_id=unit.id, invited_by_id=actor.id)
    db.session.add(invitation)
    try:
        db.session.flush()
    except IntegrityError:  # invited before (or by a request racing this one)
        db.session.rollback()
        raise Conflict(f"已邀请过{unit.name}认领该需求，请等待对方回应。") from None
    community: Community = need.community
    notify(
        staff_of(unit_id=unit.id),
        "need_invitation",
        f"{community.name}邀请贵单位认领需求「{need.title}」"
        f"（剩余 {need.remaining} {need.measure_label}）。",
        f"/needs/{need.id}",
    )
    audit.record("need.invite", actor=actor, obj=need, detail=f"邀请 {unit.name}（#{unit.id}）")
    db.session.commit()
    return unit
