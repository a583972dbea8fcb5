"""Read-only views of claims: one claim, a need's claims, the project list, a unit's ratings.

Re-exported by ``marketplace.services.exchange.claims``; kept apart so that module holds only the
transitions.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.errors import Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models import Claim, Community, Evaluation, Need, ServiceType, User
from marketplace.models.claims import (
    CLAIM_STATUSES,
    LIVE_CLAIM_STATUSES,
    ONGOING_CLAIM_STATUSES,
)
from marketplace.services.access import (
    has_role,
    is_claim_party,
    owns,
    require_role,
    valid_id,
)
from marketplace.services.exchange.need_queries import get_need
from marketplace.services.fields import read_choice
from marketplace.services.pagination import Page, paginate


def project_progress(claim: Claim) -> int:
    """Return a project's progress in % (0–100): 100 once done, else its newest report's."""
    if claim.status == "done":
        return 100
    return max(0, min(100, claim.reports[-1].percent)) if claim.reports else 0


def claim_options():
    """Return the loader options that keep claim lists free of N+1 queries."""
    need = joinedload(Claim.need)
    return (
        need.joinedload(Need.community).joinedload(Community.township),
        need.joinedload(Need.service_type).joinedload(ServiceType.category),
        joinedload(Claim.unit),
        selectinload(Claim.reports),
        joinedload(Claim.evaluation),
        joinedload(Claim.support_rating),
    )


def get_claim(viewer: User | None, claim_id: int) -> Claim:
    """Return a claim to its unit or to the need's community; refuse anyone else."""
    if not valid_id(claim_id):
        raise NotFound("认领记录不存在。")
    claim = db.session.scalar(select(Claim).options(*claim_options()).where(Claim.id == claim_id))
    if claim is None:
        raise NotFound("认领记录不存在。")
    if not is_claim_party(viewer, claim):
        raise Forbidden("只有认领单位和需求所在社区可以查看此认领。")
    return claim


def claims_for_need(viewer: User | None, need_id: int) -> list[Claim]:
    """Return a need's claims: all for its community, a unit's own for that unit."""
    need = get_need(viewer, need_id)
    query = select(Claim).options(*claim_options()).where(Claim.need_id == need.id)
    if owns(viewer, need):
        pass
    elif has_role(viewer, "unit"):
        query = query.where(Claim.unit_id == viewer.unit_id)
    else:
        return []
    return list(db.session.scalars(query.order_by(Claim.created_at, Claim.id)).unique())


def projects_page(
    actor: User, status: str | None = None, page: int = 1, per_page: int = 20
) -> Page:
    """Return the project list: claims on the community's needs, or the unit's claims."""
    if has_role(actor, "community"):
        owned = select(Need.id).where(Need.community_id == actor.community_id)
        query = select(Claim).where(Claim.need_id.in_(owned))
    else:
        require_role(actor, "unit")
        query = select(Claim).where(Claim.unit_id == actor.unit_id)
    if status == "ongoing":
        query = query.where(Claim.status.in_(ONGOING_CLAIM_STATUSES))
    elif status:
        code = read_choice(status, "认领状态", CLAIM_STATUSES, "status")
        query = query.where(Claim.status == code)
    else:
        # Declined and withdrawn claims are not projects; they stay in the audit log.
        query = query.where(Claim.status.in_(LIVE_CLAIM_STATUSES))
    query = query.options(*claim_options()).order_by(Claim.updated_at.desc(), Claim.id.desc())
    return paginate(query, page, per_page)


def unit_ratings(actor: User) -> dict:
    """Return the ratings the actor's unit received: average, count and the evaluations."""
    require_role(actor, "unit")
    claims_of_unit = select(Claim.id).where(Claim.unit_id == actor.unit_id)
    average, count = db.session.execute(
        select(func.avg(Evaluation.stars), func.count(Evaluation.id)).where(
            Evaluation.claim_id.in_(claims_of_unit)
        )
    ).one()
    evaluations = db.session.scalars(
        select(Evaluation)
        .options(joinedload(Evaluation.claim).joinedload(Claim.need).joinedload(Need.community))
        .where(Evaluation.claim_id.in_(claims_of_unit))
        .order_by(Evaluation.created_at.desc(), Evaluation.id.desc())
    ).all()
    return {
        "average": round(float(average), 2) if average is not None else None,
        "count": count,
        "evaluations": list(evaluations),
    }
