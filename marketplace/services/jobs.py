"""Periodic work (``flask jobs run``): a registry of idempotent jobs, run when due.

Each job is ``(name, fn)`` with ``fn(now) -> int``: ``now`` is the county's aware
datetime (``clock.now()``), the result how many things the job changed. A job must be
idempotent (a second run right after the first changes nothing) and safe beside a
second runner: conditional updates whose WHERE re-checks the state (``claim_need``'s
technique), or ``SELECT … FOR UPDATE`` with the state re-checked. On PostgreSQL each job
also runs under a per-job advisory lock, so an overlapping run skips a job that is in
progress instead of waiting for it; SQLite serialises writers anyway.

Adding a domain's job is one line in ``JOBS`` (or ``register(name, fn)`` from the
domain's module), adapting the signature with a lambda when it takes a day::

    ("wishes.expire", lambda now: wishes.expire_wishes(now.date())),
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from marketplace import clock
from marketplace.extensions import db
from marketplace.logs import log_event

log = logging.getLogger(__name__)
Job = Callable[[datetime], int]


def _expire_needs(now: datetime) -> int:
    from marketplace.services.exchange.needs import expire_overdue_needs

    return expire_overdue_needs(now.date())


def _prune_throttles(now: datetime) -> int:
    from marketplace.services.throttle import prune_stale

    return prune_stale(now.timestamp())


def _drain_search_log(now: datetime) -> int:
    from marketplace.services.search.search_index import drain_pending

    return drain_pending()  # 0 when another indexer (a web worker's thread) is at it


def _expire_wishes(now: datetime) -> int:
    from marketplace.services.wishes.wishes import expire_wishes

    return expire_wishes(now.date())


def _mark_overdue_tickets(now: datetime) -> int:
    from marketplace.services.hotline.hotline_queries import mark_overdue_tickets

    return mark_overdue_tickets(now)


def _remind_quiet_pairs(now: datetime) -> int:
    from marketplace.services.oversight.pair_activities import remind_quiet_pairs

    return remind_quiet_pairs(now.date())


def _remind_meetings(now: datetime) -> int:
    from marketplace.services.oversight.meeting_schedule import remind_upcoming

    return remind_upcoming(now.date())


def _suggest_escalations(now: datetime) -> int:
    from marketplace.services.oversight.escalation_queues import suggest_escalations

    return suggest_escalations(now.date())


def _remind_bookings(now: datetime) -> int:
    from marketplace.services.notify.reminders import remind_bookings

    return remind_bookings(now)


def _remind_meetings(now: datetime) -> int:
    from marketplace.services.notify.reminders import remind_meetings

    return remind_meetings(now)


def _remind_wishes(now: datetime) -> int:
    from marketplace.services.notify.reminders import remind_wishes

    return remind_wishes(now)


def _send_digests(now: datetime) -> int:
    from marketplace.services.notify.reminders import send_digests

    return send_digests(now)


def _deliver_notices(now: datetime) -> int:
    from marketplace.services.notify.outbox import deliver_due

    sent = total = deliver_due()
    while sent:  # until nothing due is left (or another worker holds the rest)
        sent = deliver_due()
        total += sent
    return total


def _check_record(now: datetime) -> int:
    from marketplace.services.record_check import daily_job

    return daily_job(now)  # once per county day; 0 on the day's later runs


JOBS: list[tuple[str, Job]] = [
    ("needs.expire", _expire_needs),
    ("wishes.expire", _expire_wishes),
    ("hotline.overdue", _mark_overdue_tickets),
    ("pairs.remind", _remind_quiet_pairs),
    ("meetings.remind", _remind_meetings),
    ("escalations.suggest", _suggest_escalations),
    ("throttle.prune", _prune_throttles),
    ("search.drain", _drain_search_log),
    ("record.check", _check_record),
    ("notify.bookings", _remind_bookings),
    ("notify.meetings", _remind_meetings),
    ("notify.wishes", _remind_wishes),
    ("notify.digest", _send_digests),
    ("notify.deliver", _deliver_notices),
]


def register(name: str, fn: Job) -> None:
    """Add (or replace) a job under ``name``; the registry keeps one job per name."""
    JOBS[:] = [(existing, job) for existing, job in JOBS if existing != name]
    JOBS.append((name, fn))


@dataclass
class JobResult:
    name: str
    count: int | None  # None: skipped (running elsewhere) or failed
    seconds: float
    error: str | None = None

    @property
    def line(self) -> str:
        if self.error:
            return f"{self.name}\t失败：{self.error}"
        if self.count is None:
            return f"{self.name}\t跳过：另一个进程正在执行"
        return f"{self.name}\t处理 {self.count} 项（{self.seconds:.2f} 秒）"


@contextmanager
def _job_lock(name: str) -> Iterator[bool]:
    """Yield True when this process may run ``name`` now (PostgreSQL advisory lock)."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield True
        return
    digest = hashlib.blake2b(f"job:{name}".encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with engine.connect() as connection:
        got = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield bool(got)
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


def run_due(now: datetime | None = None, only: list[str] | None = None) -> list[JobResult]:
    """Run every registered job (or those named in ``only``) once; never raise."""
    now = now or clock.now()
    results = []
    for name, fn in list(JOBS):
        if only and name not in only:
            continue
        started = time.perf_counter()
        try:
            with _job_lock(name) as mine:
                count = fn(now) if mine else None
            results.append(JobResult(name, count, time.perf_counter() - started))
        except Exception as error:  # one failing job must not stop the others
            db.session.rollback()
            log.exception("job %s failed", name)
            log_event("job.failed", logging.ERROR, job=name, error=type(error).__name__)
            results.append(JobResult(name, None, time.perf_counter() - started, str(error)))
    return results
