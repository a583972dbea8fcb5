"""Notifications: send to a community's or unit's staff, count, mark read.

Every notice is written in-app; ``notify`` also queues its outside deliveries (e-mail,
SMS, group robots; ``services.notify.outbox``) in the same transaction.
"""

from collections.abc import Iterable

from sqlalchemy import func, select, update

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import Notification, User
from marketplace.models._common import utcnow
from marketplace.services.access import is_self
from marketplace.services.notify.outbox import fan_out
from marketplace.services.pagination import Page, paginate


def staff_of(*, community_id: int | None = None, unit_id: int | None = None) -> list[User]:
    """Return the active accounts bound to a community or a unit."""
    query = select(User).where(User.active.is_(True))
    if community_id is not None:
        query = query.where(User.community_id == community_id)
    elif unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    else:
        return []
    return list(db.session.scalars(query))


def notify(
    users: Iterable[User], kind: str, message: str, url: str = "", *, urgent: bool = False
) -> None:
    """Queue a notification for each user in the current transaction.

    ``urgent`` lets its text messages through quiet hours (urgent hotline tickets).
    """
    users = list(users)
    for user in users:
        db.session.add(Notification(user_id=user.id, kind=kind, message=message, url=url))
    fan_out(users, kind, message, urgent=urgent)


def unread_count(user: User) -> int:
    """Return how many notifications ``user`` has not read."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def notifications_page(user: User, page: int = 1, per_page: int = 20) -> Page:
    """Return ``user``'s notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(query, page, per_page)


def settle(users: Iterable[User], url: str, kind: str | None = None) -> None:
    """Mark read (in the current transaction) what ``users`` were told about ``url``.

    Called when the work a notification pointed to has been done, so it stops asking.
    """
    ids = [user.id for user in users]
    if not ids:
        return
    statement = update(Notification).where(
        Notification.user_id.in_(ids), Notification.url == url, Notification.read_at.is_(None)
    )
    if kind is not None:
        statement = statement.where(Notification.kind == kind)
    db.session.execute(statement.values(read_at=utcnow()))


def open_notification(user: User, notification_id: int) -> str:
    """Mark one of ``user``'s notifications read and return the path it points to."""
    note = db.session.get(Notification, notification_id)
    if note is None or not is_self(user, note.user_id):
        raise NotFound("通知不存在。")
    if note.read_at is None:
        note.read_at = utcnow()
    db.session.commit()
    return note.url


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or all) of ``user``'s notifications read; return how many changed."""
    statement = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    changed = db.session.execute(statement.values(read_at=utcnow())).rowcount
    db.session.commit()
    return changed
