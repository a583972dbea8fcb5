"""Racing real threads against the real database, for the concurrency tests.

Each thread has its own app context and database session; a ``threading.Barrier``
releases them together. A thread loads what it needs and ends that transaction before
the barrier: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE).
"""

import threading

from marketplace.errors import DomainError
from marketplace.models import Unit, User
from tests.factories import make_county


def unit_secretaries(db, count: int, prefix: str = "racer") -> list[int]:
    """Create ``count`` unit secretaries cheaply (no password hashing); return their ids."""
    county = make_county()
    units = [
        Unit(name=f"{prefix}单位{i}", kind="enterprise", county_id=county.id) for i in range(count)
    ]
    db.session.add_all(units)
    db.session.flush()
    users = [
        User(username=f"{prefix}{i}", role="unit", unit_id=unit.id, password_hash="!")
        for i, unit in enumerate(units)
    ]
    db.session.add_all(users)
    db.session.commit()
    return [user.id for user in users]


def race(app, db, count: int, work) -> list[tuple[str, object]]:
    """Run ``work(index)`` in ``count`` threads released together; return outcomes."""
    barrier = threading.Barrier(count, timeout=60)
    outcomes: list[tuple[str, object]] = [("missing", None)] * count
    db.session.commit()  # release the test's own transaction (and SQLite's write lock)

    def run(index: int) -> None:
        with app.app_context():
            try:
                outcomes[index] = ("ok", work(index, barrier))
            except DomainError as error:
                outcomes[index] = (type(error).__name__, error.message)
            except Exception as error:  # e.g. "database is locked": must never happen
                outcomes[index] = ("error", repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes
