"""A need's state, derived in one place from its claims and its remaining quantity.

A need takes claims for as long as part of its quantity is
unclaimed and it is open, whatever state the claims already on it are in, so one unit's
project starting or finishing never strands the rest of the need. Its status therefore
says first whether anything is left to claim (``published``/``partly_claimed``), and only
once nothing is left how the work is going (``fully_claimed`` → ``in_progress`` →
``completed`` → ``evaluated``). Lists, dashboards and the claim check all ask
``claimable_clause()`` / ``is_claimable()``, so they count the same needs.
"""

from sqlalchemy import and_, or_, select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Claim, Need
from marketplace.models.claims import LIVE_CLAIM_STATUSES
from marketplace.models.listings import OPEN_NEED_STATUSES

# Need states that the claims no longer drive (set by the community or by time).
FIXED_NEED_STATUSES = ("draft", "withdrawn", "expired")
# Claim states in which the unit has started (or finished) the work.
STARTED_CLAIM_STATUSES = ("in_progress", "done")


def need_status_for(quantity: int, claimed: int, claims: list[tuple[str, bool]]) -> str:
    """Return the status a live need has, given its live claims as (status, rated) pairs."""
    if not claims:
        return "published"
    if claimed < quantity:
        return "partly_claimed"  # still open, whatever the claims on it are doing
    statuses = {status for status, _rated in claims}
    if statuses == {"done"}:
        return "evaluated" if all(rated for _status, rated in claims) else "completed"
    if statuses & set(STARTED_CLAIM_STATUSES):
        return "in_progress"
    return "fully_claimed"


def refresh_need(need: Need) -> None:
    """Recompute a locked need's ``claimed`` and ``status`` from its live claims."""
    if need.status in FIXED_NEED_STATUSES:
        return
    live = db.session.scalars(
        select(Claim).where(Claim.need_id == need.id, Claim.status.in_(LIVE_CLAIM_STATUSES))
    ).all()
    need.claimed = sum(claim.quantity for claim in live)
    need.status = need_status_for(
        need.quantity, need.claimed, [(c.status, c.evaluation is not None) for c in live]
    )


def claimable_clause():
    """Return the SQL condition of a need units can claim now (open, some left, in time)."""
    return and_(
        Need.status.in_(OPEN_NEED_STATUSES),
        Need.claimed < Need.quantity,
        or_(Need.ends_on.is_(None), Need.ends_on >= clock.today()),
    )


def is_claimable(need: Need) -> bool:
    """Tell whether units can claim ``need`` now (the Python twin of the clause)."""
    return (
        need.status in OPEN_NEED_STATUSES
        and need.claimed < need.quantity
        and (need.ends_on is None or need.ends_on >= clock.today())
    )


def work_started(need_id: int) -> bool:
    """Tell whether a unit has started or finished work on the need."""
    started = select(Claim.id).where(
        Claim.need_id == need_id, Claim.status.in_(STARTED_CLAIM_STATUSES)
    )
    return db.session.scalar(started.limit(1)) is not None
