"""The search change log, written in the same transaction as the listing change.

The index is a cache of the database: each machine's index copy (a replica) follows
this log with its own cursor and applies it idempotently, so an index failure after the
commit loses nothing. A row is deleted once every registered
replica has passed it, or when it is older than the log's age limit (a replica left
behind then rebuilds).
"""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models._common import utcnow


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"
    # ids only grow, even after every row is deleted (replicas' cursors are ids)
    __table_args__: ClassVar[dict] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_key: Mapped[str] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")


class SearchReplica(db.Model):
    """One machine's index copy and how far it has applied the log."""

    __tablename__ = "search_replica"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    # every log row with an id at or below this one is applied to this replica
    position: Mapped[int] = mapped_column(default=0)
    needs_rebuild: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
