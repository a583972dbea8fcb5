"""Read-only look-ups of people, communities and units."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import Community, Township, Unit, User
from marketplace.services.fields import keyword_pattern
from marketplace.services.pagination import Page, paginate


def users_page(*, role: str = "", q: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Return a page of user accounts, optionally of one role or matching a keyword.

    The keyword matches the username (any letter case), the name, or the bound community
    or unit.
    """
    query = (
        select(User)
        .options(joinedload(User.community), joinedload(User.unit))
        .order_by(User.role, User.username)
    )
    if role:
        query = query.where(User.role == role)
    if q.strip():
        pattern = keyword_pattern(q.lower())
        query = (
            query.outerjoin(Community, User.community_id == Community.id)
            .outerjoin(Unit, User.unit_id == Unit.id)
            .where(
                or_(
                    func.lower(User.username).like(pattern),
                    User.display_name.like(pattern),
                    Community.name.like(pattern),
                    Unit.name.like(pattern),
                )
            )
        )
    return paginate(query, page, per_page)


def places() -> tuple[list[Community], list[Unit], list[Township]]:
    """Return every community, unit and township by name, for binding accounts."""
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    townships = db.session.scalars(select(Township).order_by(Township.name)).all()
    return list(communities), list(units), list(townships)
