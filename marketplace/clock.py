"""The county's clock: what time it is and what day it is, in the county's time zone.

Every "now" and "today" of the application comes from here, so that a deadline, an
expiry or a booking horizon means the same day to a service, a form and the API, on a
server kept in UTC as on one kept in China time. The zone is the ``COUNTY_TIMEZONE``
setting (default ``Asia/Shanghai``); times are stored in UTC and shown in county time.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"

__all__ = [
    "DEFAULT_TIMEZONE",
    "at",
    "day_bounds",
    "load_zone",
    "local",
    "local_time",
    "now",
    "today",
    "utcnow",
    "zone",
]


@lru_cache(maxsize=8)
def load_zone(name: str) -> ZoneInfo:
    """Return the named IANA zone; raise ValueError (in Chinese) for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"未知的时区：{name}（例如 Asia/Shanghai）") from None


def zone() -> ZoneInfo:
    """Return the county's time zone (the app's ``COUNTY_TIMEZONE``)."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("COUNTY_TIMEZONE") or DEFAULT_TIMEZONE
    return load_zone(name)


def _system_now() -> datetime:
    """Read the system clock (the one place that does; tests replace it)."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Return the current moment in UTC (timezone-aware), for storing."""
    return _system_now()


def now() -> datetime:
    """Return the current moment in county time (timezone-aware)."""
    return _system_now().astimezone(zone())


def today() -> date:
    """Return the county's date today (not the server's)."""
    return now().date()


def local(moment: datetime) -> datetime:
    """Return a stored moment in county time; a naive value (SQLite) is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def at(day: date, moment: time) -> datetime:
    """Return the aware moment of a county-time ``day`` and wall-clock ``moment``."""
    return datetime.combine(day, moment, zone())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a county-time day."""
    start = at(day, time(0)).astimezone(UTC)
    end = at(day + timedelta(days=1), time(0)).astimezone(UTC)
    return start, end


def local_time(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored UTC time in county time (a date as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).strftime(fmt)
    return value.strftime("%Y-%m-%d")
