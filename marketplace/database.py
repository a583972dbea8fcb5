"""Engine set-up that makes SQLite behave under concurrent writers, and transaction intent.

pysqlite starts transactions lazily (DEFERRED), so two writers that both read first
deadlock on the upgrade to a write lock and one fails with "database is locked". Taking
the write lock at BEGIN (``BEGIN IMMEDIATE``) makes the second writer wait its turn. But
only writers may take it: a read that held the lock would make every other request wait
(an import of 200,000 rows once held it for two minutes). So each transaction begins
with the *intent* of the code that opens it:

* a request whose method changes data (POST, PUT, PATCH, DELETE) writes; GET, HEAD and
  OPTIONS read (``use_request_intent``, installed on the app);
* code outside a request (commands, tests, threads) writes unless it says otherwise;
* ``reading()`` runs a block in a read transaction even inside a POST (checking a
  password, parsing and checking an import), ``writing()`` runs one in a write
  transaction even inside a GET (an audit entry for a refusal, a token's last use).

Both end the transaction that is open when they start and when they finish, so a block
never runs inside a transaction begun with the other intent. PostgreSQL ignores intent.
"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from flask import Flask, g, request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SAWarning

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_write_intent: ContextVar[bool] = ContextVar("marketplace_write_intent", default=True)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Give SQLite WAL, foreign keys, a busy timeout and intent-dependent BEGIN."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_marketplace_configured", False):
        return
    engine._marketplace_configured = True

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def writes_intended() -> bool:
    """Tell whether a transaction begun now would take SQLite's write lock."""
    return _write_intent.get()


def _end_transaction() -> None:
    from marketplace.extensions import db

    if db.session().in_transaction():
        db.session.commit()


@contextmanager
def _intent(write: bool) -> Iterator[None]:
    _end_transaction()
    token = _write_intent.set(write)
    try:
        yield
        _end_transaction()
    finally:
        _write_intent.reset(token)


def reading():
    """Run a block in read transactions: on SQLite they take no write lock."""
    return _intent(False)


def writing():
    """Run a block in write transactions (``BEGIN IMMEDIATE`` on SQLite)."""
    return _intent(True)


def use_request_intent(app: Flask) -> None:
    """Let each request's method decide whether its transactions write."""

    @app.before_request
    def _set_intent():
        g._write_intent_token = _write_intent.set(request.method not in SAFE_METHODS)

    @app.teardown_request
    def _reset_intent(_error=None):
        token = g.pop("_write_intent_token", None)
        if token is not None:
            # ValueError: set in another context (a copied one), nothing to undo
            with suppress(ValueError):
                _write_intent.reset(token)


def reflected_tables(engine: Engine) -> MetaData:
    """Return the tables as the database has them (backups and checks read every row)."""
    metadata = MetaData()
    with warnings.catch_warnings():
        # SQLite cannot reflect the expression index on lower(username); rows are what count
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        metadata.reflect(bind=engine)
    return metadata
