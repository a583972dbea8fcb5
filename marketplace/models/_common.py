"""Column helpers shared by the models."""

from sqlalchemy import Index, text

from marketplace import clock


def utcnow():
    """Return the current time in UTC (timezone-aware), from the county clock."""
    return clock.utcnow()


def partial_unique(name: str, *columns: str, where: str) -> Index:
    """Return a unique index over the rows matching ``where`` (SQLite and PostgreSQL alike).

    Used where a rule holds only among live rows: one open claim per unit and need, one
    live report per member, and so on; finished rows may repeat.
    """
    condition = text(where)
    return Index(name, *columns, unique=True, sqlite_where=condition, postgresql_where=condition)


def enum_check(column: str, values) -> str:
    """Return a CHECK expression limiting ``column`` to ``values``."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
