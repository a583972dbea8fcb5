"""What a confirmed wish gives its member: points from the ledger and the checklist item.

Kept apart from ``services/wishes/wishes.py`` so the wish workflow reads on its own; this is
the one place that reaches into the members' domain: ``points.award`` for the
ledger, and the evidence provider of the checklist item 认领1个“微心愿” (a wish the
member claimed whose fulfilment the community confirmed, counted in the year fulfilled).
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.members import Member
from marketplace.models.wishes import Wish
from marketplace.services.members import checklist, points
from marketplace.services.members.members import member_or_none


def member_of(user: User) -> Member | None:
    """Return the party member behind a ``member`` account, if registered."""
    return member_or_none(user)


def reward_confirmed_wish(wish: Wish, actor: User) -> None:
    """Credit the claiming member for a confirmed wish (in the caller's transaction).

    The wish's points, and the year's checklist bonus when this wish completes the list.
    """
    if wish.claimer_kind != "member" or wish.claimer_member_id is None:
        return
    member = db.session.get(Member, wish.claimer_member_id)
    points.award(member, "wish", wish.id, reason=f"微心愿「{wish.title}」已送达", actor=actor)
    if wish.fulfilled_on is not None:
        checklist.pay_bonus(member, wish.fulfilled_on.year, actor)


def fulfilled_wishes_evidence(member_ids: list[int], year: int) -> dict[int, list]:
    """Return each member's confirmed wishes fulfilled in ``year`` (one query for all)."""
    if not member_ids:
        return {}
    rows = db.session.execute(
        select(Wish.claimer_member_id, Wish.id, Wish.title, Wish.fulfilled_on)
        .where(
            Wish.claimer_member_id.in_(list(member_ids)),
            Wish.status == "confirmed",
            Wish.fulfilled_on.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .order_by(Wish.fulfilled_on, Wish.id)
    )
    evidence = defaultdict(list)
    for member_id, wish_id, title, fulfilled_on in rows:
        evidence[member_id].append(
            checklist.Evidence(
                label=f"微心愿：{title}", on=fulfilled_on, kind="wish", record_id=wish_id
            )
        )
    return dict(evidence)


checklist.register_provider("wish", fulfilled_wishes_evidence)
