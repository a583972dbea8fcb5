"""Who applies the queued index updates, and when.

``SEARCH_INDEXER`` chooses, per process:

* ``thread`` (default): a background thread in each web process applies the outbox at
  start-up (its first request), whenever a commit in this process queued something,
  and every ``SEARCH_DRAIN_INTERVAL`` seconds (changes made by other processes, rows left
  by a crash). Only one process applies at a time (see ``search_index.drain``); the
  others find the lock taken and go back to sleep.
* ``off``: the web process never writes the index; run ``flask search worker`` (one per
  machine) to do it.
* ``inline``: the request that committed applies its own update before returning (the
  old behaviour; tests use it to read their writes at once).
"""

import hashlib
import logging
import os
import socket
import threading
import time
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from sqlalchemy import text

from marketplace import search

log = logging.getLogger(__name__)

MODES = ("thread", "off", "inline")


def mode(app: Flask | None = None) -> str:
    app = app or current_app
    value = str(app.config["SEARCH_INDEXER"]).lower()
    return value if value in MODES else "thread"


class BackgroundIndexer:
    """A daemon thread that drains the outbox at start, on request and on a timer."""

    def __init__(self, app: Flask):
        self.app = app
        self.interval = float(app.config["SEARCH_DRAIN_INTERVAL"])
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pid = os.getpid()
        self.passes = 0  # drains attempted (tests and the health of the thread)
        self.thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)

    def start(self) -> "BackgroundIndexer":
        self.thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self.thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self.thread.is_alive() and self._pid == os.getpid()

    def _run(self) -> None:
        from marketplace.services.search import search_index

        while not self._stop.is_set():
            self._wake.clear()
            try:
                with self.app.app_context():
                    search_index.drain_pending()
            except Exception:
                log.warning("search indexer: drain failed; retrying later", exc_info=True)
            self.passes += 1
            self._wake.wait(self.interval)


_lock = threading.Lock()


def indexer(app: Flask) -> BackgroundIndexer | None:
    """Return the running background indexer of ``app`` (started on first use)."""
    if mode(app) != "thread":
        return None
    current = app.extensions.get("search_indexer")
    if current is not None and current.alive:
        return current
    with _lock:  # a forked worker inherits the attribute but not the thread: start anew
        current = app.extensions.get("search_indexer")
        if current is None or not current.alive:
            current = app.extensions["search_indexer"] = BackgroundIndexer(app).start()
    return current


def stop(app: Flask) -> None:
    """Stop ``app``'s background indexer, if any (tests, shutdown)."""
    current = app.extensions.pop("search_indexer", None)
    if current is not None:
        current.stop()


def init_app(app: Flask) -> None:
    """Start the background indexer with the first request of each process."""

    @app.before_request
    def _start_search_indexer():
        indexer(app)


def changes_committed() -> None:
    """Called after a commit that queued index updates: apply them per ``mode``."""
    if not has_app_context():
        return
    app = current_app._get_current_object()
    chosen = mode(app)
    if chosen == "inline":
        from marketplace.services.search.search_index import drain_after_commit

        drain_after_commit()
    elif chosen == "thread":
        running = app.extensions.get("search_indexer")
        if running is not None and running.alive:  # a CLI command leaves it to the timer
            running.wake()


def replica_name(app: Flask | None = None) -> str:
    """Name this machine's index copy: ``SEARCH_REPLICA_NAME`` or host and folder."""
    app = app or current_app
    configured = app.config.get("SEARCH_REPLICA_NAME")
    if configured:
        return str(configured)[:200]
    folder = os.path.realpath(app.config["SEARCH_INDEX_DIR"])
    name = f"{socket.gethostname()}:{folder}"
    if len(name) > 200:
        name = f"{socket.gethostname()[:80]}:{hashlib.blake2b(folder.encode()).hexdigest()[:32]}"
    return name


@contextmanager
def indexer_lock(timeout: float = 0.0):
    """Be the only indexer of this replica, or raise ``IndexBusy`` after ``timeout`` s.

    First the process-wide lock (waiting for it holds no database connection), then
    across processes: on PostgreSQL a session advisory lock keyed by the replica's name,
    held on a connection that is yielded for the indexer's session to use (so an
    indexer costs one connection); on SQLite a file lock in the index folder (one
    machine), yielding None.
    """
    from marketplace.extensions import db

    with search.locked(timeout=timeout):
        engine = db.engine
        if engine.dialect.name != "postgresql":
            with search.store.file_lock(current_app.config["SEARCH_INDEX_DIR"], timeout=timeout):
                yield None
            return
        digest = hashlib.blake2b(f"search-indexer:{replica_name()}".encode(), digest_size=8)
        key = int.from_bytes(digest.digest(), "big", signed=True)
        deadline = time.monotonic() + timeout
        with engine.connect() as connection:
            while not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
                connection.rollback()
                if time.monotonic() >= deadline:
                    raise search.IndexBusy("another indexer is running")
                time.sleep(0.05)
            connection.commit()
            try:
                yield connection
            finally:
                try:
                    connection.rollback()
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
                except Exception:  # a broken connection: drop it, the server frees the lock
                    connection.invalidate()
