"""Audit entries: who changed what, when, before and after (no secrets)."""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from marketplace.database import writing
from marketplace.extensions import db
from marketplace.models import AuditEntry, User


def client_address() -> str:
    """Return the caller's address, or '' outside a request."""
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:64]


def _current_actor() -> User | None:
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user._get_current_object()
    return None


def record(
    action: str,
    *,
    actor: User | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    detail: str = "",
    username: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    actor = actor or _current_actor()
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        username=(username if username is not None else (actor.username if actor else ""))[:40],
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        address=client_address(),
        detail=detail[:500],
    )
    db.session.add(entry)
    return entry


def record_refusal(message: str) -> None:
    """Log a refused request in its own transaction, after the refused one rolled back."""
    detail = f"{request.method} {request.path}: {message}" if has_request_context() else message
    with writing():  # a refused GET writes this entry too
        record("access.refused", detail=detail)


def snapshot(obj: Any, *fields: str) -> dict:
    """Return the named fields of ``obj`` as JSON-friendly values for before/after."""
    values = {}
    for field in fields:
        value = getattr(obj, field)
        values[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """Return the audit entries of one record, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        )
    )
