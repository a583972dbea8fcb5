"""Rate limits that hold across processes and threads: atomic counters in the database.

Use it for any public or guessable endpoint::

    from marketplace.services import throttle

    if not throttle.hit(f"hotline:{address}", limit=5, window=3600):
        raise TooManyRequests("提交过于频繁，请一小时后再试。")

``hit(key, limit, window)`` counts one attempt and tells whether it is within ``limit``
attempts per ``window`` seconds (a fixed window that starts at the key's first attempt).
``backoff(key, free=…, base=…, cap=…, window=…)`` lets ``free`` attempts through, then
makes each next one wait twice as long (``base`` seconds, doubling, at most ``cap``); it
returns the seconds still to wait (0 = go ahead). ``reset(key)`` forgets a key (after a
successful login). Each call commits its own short transaction, so call it first in a
unit of work, before the work's own changes; the count then stands even when the
request fails later.

Why not Flask-Limiter: its limits are only shared between processes through Redis,
Memcached, MongoDB or etcd, none of which a county install has; its in-memory store
counts per process (gunicorn's workers would each allow the limit). The counter here is
one row per key changed by one conditional UPDATE whose row count is checked — the house
technique of ``claims.claim_need`` — which is atomic on PostgreSQL (the row lock makes a
racing UPDATE re-check its WHERE) and on SQLite (writers are serialised).

Times are seconds since the epoch read from the county clock (``clock.utcnow``), not a
monotonic source: the counters are shared by every process and machine that serves the
site, and a monotonic clock only means something inside the process that read it. The
county clock is also the one tests move forward instead of sleeping.
"""

from sqlalchemy import case, delete, or_, select, update

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import ThrottleCounter

__all__ = ["backoff", "forgive", "hit", "prune_stale", "reset"]
CAS_RETRIES = 50
STALE_AFTER = 7 * 24 * 3600  # keys unused for a week are purged now and then


def _now() -> float:
    """Return the county clock's current moment as epoch seconds (shared by every process)."""
    return clock.utcnow().timestamp()


def _insert_missing(key: str, now: float) -> None:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(
        insert(ThrottleCounter)
        .values(key=key, count=0, window_started=now, blocked_until=0.0)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def hit(key: str, limit: int, window: float) -> bool:
    """Count one attempt under ``key``; True when it is within ``limit`` per ``window`` s."""
    now = _now()
    _insert_missing(key, now)
    expired = ThrottleCounter.window_started <= now - window
    counted = db.session.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key == key, or_(expired, ThrottleCounter.count < limit))
        .values(
            count=case((expired, 1), else_=ThrottleCounter.count + 1),
            window_started=case((expired, now), else_=ThrottleCounter.window_started),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return counted == 1


def backoff(key: str, *, free: int, base: float, cap: float, window: float) -> float:
    """Count one attempt under ``key`` unless it must wait; return the seconds to wait.

    The first ``free`` attempts within ``window`` seconds go through at once; after the
    ``free``-th, each attempt must wait ``base`` × 2^(attempts − free) seconds (at most
    ``cap``) since the one before. A refused attempt is not counted.
    """
    for _ in range(CAS_RETRIES):
        now = _now()
        _insert_missing(key, now)
        row = db.session.execute(
            select(
                ThrottleCounter.count,
                ThrottleCounter.window_started,
                ThrottleCounter.blocked_until,
            ).where(ThrottleCounter.key == key)
        ).one()
        if row.blocked_until > now:
            db.session.commit()
            return row.blocked_until - now
        fresh = row.window_started <= now - window
        count = 1 if fresh else row.count + 1
        wait = min(cap, base * 2 ** (count - free)) if count >= free else 0.0
        changed = db.session.execute(
            update(ThrottleCounter)
            .where(
                ThrottleCounter.key == key,
                ThrottleCounter.count == row.count,
                ThrottleCounter.window_started == row.window_started,
                ThrottleCounter.blocked_until <= now,
            )
            .values(
                count=count,
                window_started=now if fresh else row.window_started,
                blocked_until=now + wait if wait else 0.0,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if changed == 1:
            return 0.0
    return base  # lost every race: ask the caller to come back shortly


def forgive(key: str) -> None:
    """Take back one counted attempt under ``key`` (it turned out to be legitimate)."""
    db.session.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key == key, ThrottleCounter.count > 0)
        .values(count=ThrottleCounter.count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def reset(key: str) -> None:
    """Forget ``key`` (e.g. after a successful login); purge keys unused for a week."""
    now = _now()
    db.session.execute(
        delete(ThrottleCounter).where(
            or_(
                ThrottleCounter.key == key,
                (ThrottleCounter.window_started < now - STALE_AFTER)
                & (ThrottleCounter.blocked_until < now),
            )
        )
    )
    db.session.commit()


def prune_stale(now: float | None = None) -> int:
    """Delete keys unused for a week and not blocked (``flask jobs run``); return how many."""
    now = _now() if now is None else now
    removed = db.session.execute(
        delete(ThrottleCounter).where(
            ThrottleCounter.window_started < now - STALE_AFTER,
            ThrottleCounter.blocked_until < now,
        )
    ).rowcount
    db.session.commit()
    return removed
