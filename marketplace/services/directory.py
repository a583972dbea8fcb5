"""Read-only look-ups of people, communities and units."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import Community, Township, Unit, User
from marketplace.services.pagination import Page, paginate


def users_page(*, role: str = "", page: int = 1, per_page: int = 20) -> Page:
    """Return a page of user accounts, optionally of one role."""
    query = (
        select(User)
        .options(joinedload(User.community), joinedload(User.unit))
        .order_by(User.role, User.username)
    )
    if role:
        query = query.where(User.role == role)
    return paginate(query, page, per_page)


def places() -> tuple[list[Community], list[Unit], list[Township]]:
    """Return every community, unit and township by name, for binding accounts."""
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    townships = db.session.scalars(select(Township).order_by(Township.name)).all()
    return list(communities), list(units), list(townships)
