"""Read-only look-ups of people, communities and units."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.models import User
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
