"""What a confirmed wish gives its member: points from the ledger and the checklist item.

Kept apart from ``services/wishes.py`` so the wish workflow reads on its own; this is
the one place that reaches into the members' domain (issue 9): ``points.award`` for the
ledger, and ``wish_evidence`` as the checklist's evidence for 认领1个“微心愿”.
"""

from datetime import date

from sqlalchemy import extract, select

from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.members import Member
from marketplace.models.wishes import Wish


def member_of(user: User) -> Member | None:
    """Return the party member behind a ``member`` account, if registered."""
    return db.session.scalar(select(Member).where(Member.user_id == user.id))


def reward_confirmed_wish(wish: Wish, actor: User) -> None:
    """Credit the claiming member's points for a confirmed wish (in the caller's transaction)."""
    if wish.claimer_kind != "member" or wish.claimer_member_id is None:
        return
    from marketplace.services import points  # the members' ledger (issue 9)

    member = db.session.get(Member, wish.claimer_member_id)
    points.award(member, "wish", wish.id, reason=f"微心愿「{wish.title}」已送达", actor=actor)


def wish_evidence(member: Member, year: int) -> list[Wish]:
    """Return the member's wishes fulfilled and confirmed in ``year`` (checklist evidence)."""
    return list(
        db.session.scalars(
            select(Wish)
            .where(
                Wish.claimer_member_id == member.id,
                Wish.status == "confirmed",
                extract("year", Wish.fulfilled_on) == year,
            )
            .order_by(Wish.fulfilled_on)
        )
    )


def wish_done(member: Member, year: int | None = None) -> bool:
    """Tell whether the member's checklist item 认领1个微心愿 is ticked for ``year``."""
    return bool(wish_evidence(member, year or date.today().year))
