"""A fingerprint of every table's rows, to assert that a request changed nothing."""

import hashlib

from sqlalchemy import select

from marketplace.database import reflected_tables
from marketplace.extensions import db

# Logging is not "changing data": refusals and logins are audited by design.
LOG_TABLES = {"audit_entry", "throttle_counter", "alembic_version"}


def database_fingerprint() -> str:
    """Return a digest of all rows outside the log tables (ends the open transaction)."""
    metadata = reflected_tables(db.engine)
    digest = hashlib.sha256()
    for name in sorted(metadata.tables):
        if name in LOG_TABLES:
            continue
        table = metadata.tables[name]
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    db.session.commit()
    return digest.hexdigest()
