"""Index replicas: each machine's index copy follows the change log with its own cursor.

``search_outbox`` is the change log. A replica (named by ``SEARCH_REPLICA_NAME``, by
default the host and index folder) registers when it is built, then applies the rows
after its ``position``; see ``marketplace.search.changelog`` for why the position only
moves over applied rows. A row is deleted once every registered replica has passed it;
rows older than ``SEARCH_LOG_MAX_AGE`` days are deleted regardless, and a replica that
had not reached them is marked to rebuild (its next drain, or ``flask search rebuild``).
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from marketplace.models import SearchOutbox, SearchReplica
from marketplace.models._common import utcnow
from marketplace.search.changelog import Cursor

_cursors: dict[str, Cursor] = {}


def cursor(name: str) -> Cursor:
    """Return this process's in-memory cursor state for replica ``name``."""
    if name not in _cursors:
        timeout = float(current_app.config["SEARCH_LOG_GAP_TIMEOUT"])
        _cursors[name] = Cursor(timeout)
    return _cursors[name]


def state(session: Session, name: str) -> SearchReplica | None:
    return session.scalar(select(SearchReplica).where(SearchReplica.name == name))


def register(session: Session, name: str, position: int) -> None:
    """Record that replica ``name`` holds every change up to ``position`` (after a build)."""
    replica = state(session, name)
    if replica is None:
        replica = SearchReplica(name=name)
        session.add(replica)
    replica.position, replica.needs_rebuild, replica.updated_at = position, False, utcnow()
    session.commit()
    cursor(name).reset()


def last_allocated(session: Session) -> int:
    """Return the highest log id ever handed out (rows may since have been trimmed)."""
    dialect = session.get_bind().dialect.name
    allocated = None
    if dialect == "postgresql":
        allocated = session.scalar(
            text(
                "SELECT pg_sequence_last_value("
                "pg_get_serial_sequence('search_outbox', 'id')::regclass)"
            )
        )
    elif dialect == "sqlite":
        allocated = session.scalar(
            text("SELECT seq FROM sqlite_sequence WHERE name = 'search_outbox'")
        )
    present = session.scalar(select(func.max(SearchOutbox.id)))
    return max(allocated or 0, present or 0)


def save_position(session: Session, name: str, position: int) -> None:
    session.execute(
        update(SearchReplica)
        .where(SearchReplica.name == name)
        .values(position=position, updated_at=utcnow())
    )


def rows_after(session: Session, after: int, limit: int):
    return session.execute(
        select(SearchOutbox.id, SearchOutbox.doc_key)
        .where(SearchOutbox.id > after)
        .order_by(SearchOutbox.id)
        .limit(limit)
    ).all()


def trim(session: Session) -> None:
    """Delete the rows every replica has passed, and rows past the age limit."""
    positions = session.scalars(
        select(SearchReplica.position).where(SearchReplica.needs_rebuild.is_(False))
    ).all()
    if positions:
        session.execute(delete(SearchOutbox).where(SearchOutbox.id <= min(positions)))
    days = float(current_app.config["SEARCH_LOG_MAX_AGE"])
    cutoff = utcnow() - timedelta(days=days)
    oldest = session.scalar(
        select(func.max(SearchOutbox.id)).where(SearchOutbox.created_at < cutoff)
    )
    if oldest is not None:
        session.execute(
            update(SearchReplica)
            .where(SearchReplica.position < oldest)
            .values(needs_rebuild=True, updated_at=utcnow())
        )
        session.execute(delete(SearchOutbox).where(SearchOutbox.id <= oldest))
    session.commit()


def pending(session: Session, name: str) -> int:
    """Return how many log rows replica ``name`` has not passed yet."""
    replica = state(session, name)
    position = replica.position if replica is not None else 0
    return session.scalar(select(func.count()).where(SearchOutbox.id > position)) or 0


def listing(session: Session) -> list[tuple[SearchReplica, int]]:
    """Return every registered replica with the number of log rows it has not passed."""
    replicas = session.scalars(select(SearchReplica).order_by(SearchReplica.name)).all()
    return [(r, pending(session, r.name)) for r in replicas]


def forget(session: Session, name: str) -> bool:
    """Unregister replica ``name`` (a retired machine), so the log can be trimmed."""
    done = session.execute(delete(SearchReplica).where(SearchReplica.name == name)).rowcount
    session.commit()
    _cursors.pop(name, None)
    return bool(done)
