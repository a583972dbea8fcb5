"""A frozen county clock: tests that depend on the date say which date it is."""

from datetime import UTC, datetime

import pytest

from marketplace import clock

# A Monday in the middle of a quarter: 2026-05-13 12:00 in the county (UTC+8).
MID_YEAR = datetime(2026, 5, 13, 4, 0, tzinfo=UTC)


def freeze_clock(monkeypatch, moment: datetime = MID_YEAR) -> datetime:
    """Make ``clock.now()``/``today()``/``utcnow()`` (and column defaults) read ``moment``."""
    monkeypatch.setattr(clock, "_system_now", lambda: moment)
    return moment


@pytest.fixture
def frozen_clock(monkeypatch) -> datetime:
    """The county clock stopped at ``MID_YEAR``."""
    return freeze_clock(monkeypatch)
