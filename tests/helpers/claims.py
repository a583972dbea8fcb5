"""Claim races: the thread work of many units claiming, and the need's invariants."""

from sqlalchemy import func, select

from marketplace.models import Claim, Need, User
from marketplace.models.claims import LIVE_CLAIM_STATUSES
from marketplace.services.exchange import claims


def claim_as(user_ids, need_id, quantities, claim=claims.claim_need):
    """Return thread work: user ``i`` claims ``quantities[i]`` of the need."""

    def work(index, barrier):
        from marketplace.extensions import db

        user = db.session.get(User, user_ids[index])
        db.session.commit()
        barrier.wait()
        return claim(user, need_id, quantities[index]).quantity

    return work


def violations(db, need_id: int) -> list[str]:
    """Return how the need breaks the claim invariants (empty when it holds)."""
    db.session.expire_all()
    need = db.session.get(Need, need_id)
    live = db.session.scalar(
        select(func.coalesce(func.sum(Claim.quantity), 0)).where(
            Claim.need_id == need_id, Claim.status.in_(LIVE_CLAIM_STATUSES)
        )
    )
    problems = []
    if live > need.quantity:
        problems.append(f"live claims {live} exceed quantity {need.quantity}")
    if live != need.claimed:
        problems.append(f"need.claimed {need.claimed} differs from live claims {live}")
    if need.claimed < 0:
        problems.append("negative claimed")
    return problems
