"""Both sides rate a finished project once: the community rates the unit's work
(``claims.rate_claim``), the unit rates the community's support (here)."""

from sqlalchemy.exc import IntegrityError

from marketplace.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Evaluation, SupportRating, User
from marketplace.services import audit
from marketplace.services.access import has_role, require_owner, require_role, valid_id
from marketplace.services.exchange import claims
from marketplace.services.fields import RATING, FieldReader
from marketplace.services.notifications import notify, staff_of

ALREADY = "本单位已经评价过该项目的社区支持，不能重复评价。"


def rate(actor: User, claim_id, stars, comment: str = "") -> Evaluation | SupportRating:
    """Rate a finished claim as whichever side the actor is on (each side once)."""
    if has_role(actor, "unit"):
        return rate_support(actor, claim_id, stars, comment)
    return claims.rate_claim(actor, claim_id, stars, comment)


def rate_support(actor: User, claim_id, stars, comment: str = "") -> SupportRating:
    """The claiming unit rates the community's support on a finished claim, once."""
    require_role(actor, "unit")
    claim = db.session.get(Claim, claim_id) if valid_id(claim_id) else None
    if claim is None:
        raise NotFound("认领不存在。")
    require_owner(actor, claim)
    reader = FieldReader({"stars": stars, "comment": comment})
    stars = reader.read("stars", RATING["stars"])
    comment = reader.read("comment", RATING["comment"])
    reader.raise_if_invalid()
    if claim.status != "done":
        raise Conflict(f"认领当前为「{claim.status_label}」，项目完成后才能评价。")
    if claim.support_rating is not None:
        raise Conflict(ALREADY)
    rating = SupportRating(claim=claim, author_id=actor.id, stars=stars, comment=comment)
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(ALREADY) from None
    audit.record(
        "claim.rate_support",
        actor=actor,
        obj=claim,
        after={"stars": stars},
        detail=f"{stars} 星：{comment}"[:500],
    )
    notify(
        staff_of(community_id=claim.need.community_id),
        "claim_support_rated",
        f"{claim.unit.name}对「{claim.need.title}」中社区的支持给出了 {stars} 星评价。",
        f"/needs/{claim.need_id}",
    )
    db.session.commit()
    return rating
