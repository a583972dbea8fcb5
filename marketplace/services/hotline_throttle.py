"""The per-address limit on anonymous online hotline requests (RELIABILITY S19).

One small function, so the integrator can switch it to the shared limiter being built
on the hardening branch. Until then the count comes from the audit log (every online
intake writes ``hotline.received`` with the caller's address and no user), and it is
atomic: PostgreSQL takes a transaction-scoped advisory lock per address before counting;
SQLite's ``BEGIN IMMEDIATE`` already serialises writers.
"""

import zlib
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import func, select, text

from marketplace.errors import TooManyRequests
from marketplace.extensions import db
from marketplace.models import AuditEntry
from marketplace.models._common import utcnow
from marketplace.services.audit import client_address

DEFAULT_PER_HOUR = 5


def per_hour() -> int:
    """Return how many online requests one address may make per hour (a setting)."""
    if has_app_context():
        return int(current_app.config.get("HOTLINE_ONLINE_PER_HOUR", DEFAULT_PER_HOUR))
    return DEFAULT_PER_HOUR


def check_online_intake() -> None:
    """Refuse an address that sent too many online requests in the last hour."""
    address = client_address()
    if not address:  # not a web request (command line, demo data, service tests)
        return
    if db.session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"hotline-intake:{address}".encode())
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    recent = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "hotline.received",
            AuditEntry.user_id.is_(None),
            AuditEntry.address == address,
            AuditEntry.at >= utcnow() - timedelta(hours=1),
        )
    )
    if recent >= per_hour():
        db.session.rollback()
        raise TooManyRequests("提交过于频繁，请稍后再试，或直接拨打志愿服务110热线。")
