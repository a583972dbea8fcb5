"""Column helpers shared by the models."""

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "CST")  # no daylight saving in China


def utcnow() -> datetime:
    """Return the current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


def enum_check(column: str, values) -> str:
    """Return a CHECK expression limiting ``column`` to ``values``."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def local_time(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored UTC time in China time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite returns naive datetimes; they are UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(CHINA_TIME).strftime(fmt)
    return value.strftime("%Y-%m-%d")
