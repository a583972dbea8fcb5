"""The county record check (``flask check``): every stored figure recomputed from its source.

A check is ``(name, label, fn)`` where ``fn()`` returns one readable Chinese line per
difference it finds between a stored (or cached) figure and what its source says, and
an empty list when the two agree. Checks only read; they never repair, so a difference
stays visible until someone looks at why it arose.

A domain adds its check with ``register_check`` (from its own module, or in one of the
modules listed in ``_BUILTIN_MODULES``)::

    register_check("funds.balance", "资金台账余额", funds_balance_differences)
"""

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from marketplace import clock
from marketplace.extensions import db
from marketplace.logs import log_event

Check = Callable[[], list[str]]

_BUILTIN_MODULES = (
    "marketplace.services.record_check.exchange",
    "marketplace.services.record_check.members",
    "marketplace.services.record_check.oversight",
    "marketplace.services.record_check.hotline",
    "marketplace.services.record_check.search",
    "marketplace.services.record_check.funds",
)


@dataclass(frozen=True)
class RecordCheck:
    name: str
    label: str
    fn: Check


@dataclass
class CheckResult:
    name: str
    label: str
    differences: list[str] = field(default_factory=list)


CHECKS: dict[str, RecordCheck] = {}


def register_check(name: str, label: str, fn: Check) -> RecordCheck:
    """Add (or replace) a named check; checks run in registration order."""
    check = RecordCheck(name, label, fn)
    CHECKS[name] = check
    return check


def registered_checks() -> list[RecordCheck]:
    """Return every check, the built-in ones loaded first."""
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)  # each registers its checks on import
    return list(CHECKS.values())


def run_checks(only: list[str] | None = None) -> list[CheckResult]:
    """Run every check (or those named in ``only``) and return what each found."""
    results = []
    for check in registered_checks():
        if only and check.name not in only:
            continue
        results.append(CheckResult(check.name, check.label, list(check.fn())))
    return results


def differences(results: list[CheckResult]) -> list[str]:
    """Return every difference of ``results`` as one line, prefixed by its check's label."""
    return [f"【{result.label}】{line}" for result in results for line in result.differences]


def _ran_on(day: date) -> bool:
    from marketplace.models import AuditEntry

    start, end = clock.day_bounds(day)
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == "record_check.run", AuditEntry.at >= start, AuditEntry.at < end
            )
        )
        > 0
    )


def daily_job(now: datetime) -> int:
    """Run every check once per county day (the periodic jobs call it); log each difference.

    The day's run leaves an audit entry naming what it found, which is also what tells a
    later run of the same day to skip. Returns how many differences were found.
    """
    from marketplace.services import audit

    day = clock.local(now).date()
    if _ran_on(day):
        return 0
    found = differences(run_checks())
    for line in found:
        log_event("record_check.difference", logging.WARNING, difference=line)
    audit.record(
        "record_check.run",
        username="system",
        object_type="record_check",
        after={"day": day.isoformat(), "differences": len(found)},
        detail="；".join(found),
    )
    db.session.commit()
    return len(found)
