"""Engine set-up that makes SQLite behave under concurrent writers."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    """Give SQLite WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` transactions.

    pysqlite starts transactions lazily (DEFERRED), so two writers that both read first
    deadlock on the upgrade to a write lock and one fails with "database is locked".
    Taking the write lock at BEGIN makes the second writer wait its turn instead.
    """
    if engine.dialect.name != "sqlite" or getattr(engine, "_marketplace_configured", False):
        return
    engine._marketplace_configured = True

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
