"""Keep the search index in step with the database: drain the outbox, rebuild, check, search.

The database is the source of truth and the index a cache. Listing changes queue
``SearchOutbox`` rows in their own transaction; after the commit :func:`drain` applies
them to the index under the write lock and deletes them. A drain that cannot get the
lock, or whose index write fails, leaves the rows for the next drain (nothing is lost,
writers never collide); the user's request never fails because of the index.
"""

import logging
from contextlib import suppress
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from marketplace import search
from marketplace.extensions import db
from marketplace.logs import log_event
from marketplace.models import SearchOutbox
from marketplace.search.schema import digest
from marketplace.services.search import (
    search_documents,
    search_indexer,
    search_replicas,
    search_synonyms,
)

log = logging.getLogger(__name__)

DRAIN_BATCH = 500
DRAIN_LOCK_TIMEOUT = 3.0
MAX_PAGE = 500  # deeper pages cost a top-k of page × 20; nobody reads them

write_index = search.write  # module attribute, so a test can make index writes fail


class SearchUnavailable(RuntimeError):
    """The index is missing and is being rebuilt; the page says so."""


@dataclass
class Divergence:
    key: str
    problem: str  # "missing" (not indexed), "stale" (content differs), "extra" (not visible)

    @property
    def label(self) -> str:
        return {"missing": "未入索引", "stale": "内容不一致", "extra": "不应出现在索引中"}[
            self.problem
        ]


def index_root() -> str:
    """Return the index folder of the current app."""
    return current_app.config["SEARCH_INDEX_DIR"]


def _indexer_session(connection=None) -> Session:
    """Open a session of its own (on the lock's connection when given)."""
    session = Session(connection if connection is not None else db.engine)
    session.info["search_indexer"] = True  # search_sync skips its own commits
    return session


def drain(*, limit: int | None = None, wait: float = DRAIN_LOCK_TIMEOUT) -> int:
    """Apply pending outbox rows to the index; return how many rows were applied.

    Ends the caller's transaction. Raises ``IndexBusy`` when another indexer holds this
    replica longer than ``wait`` seconds, or the index write's own error (the rows stay
    queued).
    """
    db.session.commit()
    with search_indexer.indexer_lock(timeout=wait):
        return _drain(db.session, limit)


def drain_pending() -> int:
    """Apply what is pending unless another indexer is at it (the background thread)."""
    try:
        with (
            search_indexer.indexer_lock(timeout=0) as connection,
            _indexer_session(connection) as session,
        ):
            return _drain(session, None)
    except (search.IndexBusy, search.IndexUnavailable):
        return 0  # another indexer is at it, or the index awaits `flask search rebuild`


def drain_after_commit() -> None:
    """Drain in a session of its own (the committed one cannot run SQL); never raise."""
    try:
        with (
            search_indexer.indexer_lock(timeout=DRAIN_LOCK_TIMEOUT) as connection,
            _indexer_session(connection) as session,
        ):
            _drain(session, None)
    except Exception:
        log.warning("search index update deferred; the outbox keeps it", exc_info=True)
        log_event("search.index_update_deferred", logging.WARNING)


def _drain(session: Session, limit: int | None) -> int:
    """Apply this replica's unapplied log rows in batches; return how many were applied."""
    name = search_indexer.replica_name()
    applied = 0
    replica = search_replicas.state(session, name)
    built = search.store.built_position(index_root())
    if replica is None and built is not None and search.index_exists(index_root()):
        search_replicas.register(session, name, built)  # built by a search request
        replica = search_replicas.state(session, name)
    if replica is None or replica.needs_rebuild or not search.index_exists(index_root()):
        if search_documents.count_documents(session) > _inline_limit():
            raise search.IndexUnavailable("no index: run `flask search rebuild`")
        return _rebuild_locked(session, clear_outbox=True)
    cursor = search_replicas.cursor(name)
    position = after = replica.position
    session.commit()
    # read on until the end: rows queued by a writer that waited for us are applied too
    while limit is None or applied < limit:
        rows = search_replicas.rows_after(session, after, DRAIN_BATCH)
        if not rows:
            session.commit()
            break
        after = rows[-1].id
        todo = set(cursor.pending(row.id for row in rows))
        keys = {row.doc_key for row in rows if row.id in todo}
        if keys:
            _apply(session, keys, sorted(todo))
        position = cursor.advance(position, [row.id for row in rows])
        search_replicas.save_position(session, name, position)
        session.commit()
        applied += len(todo)
        if len(rows) < DRAIN_BATCH:
            break
    search_replicas.trim(session)
    return applied


def _apply(session: Session, keys: set[str], ids: list[int]) -> None:
    """Write the documents of ``keys`` to the index; on failure note it on the rows."""
    try:
        documents, deletions = search_documents.resolve_outbox_keys(keys, session)
        write_index(index_root(), documents, deletions)
    except Exception as error:
        session.rollback()
        session.execute(
            update(SearchOutbox)
            .where(SearchOutbox.id.in_(ids))
            .values(
                attempts=SearchOutbox.attempts + 1,
                last_error=f"{type(error).__name__}: {error}"[:500],
            )
        )
        session.commit()
        raise


def pending_count() -> int:
    """Return how many log rows this replica has not applied yet."""
    return search_replicas.pending(db.session, search_indexer.replica_name())


def _rebuild_locked(session: Session, *, clear_outbox: bool) -> int:
    """Build a new generation; with ``clear_outbox`` also register it and trim the log.

    Without it (a search request rebuilding a missing index: a GET writes nothing) the
    generation records its log position, and the next drain registers from that.
    """
    last_queued = search_replicas.last_allocated(session)
    session.commit()
    documents = search_documents.all_documents(session, short_transactions=True)
    count = search.build_generation(
        index_root(), documents, hold_live_lock=True, log_position=last_queued
    )
    if clear_outbox:
        # rows queued before the rebuild read the database are already in it
        search_replicas.register(session, search_indexer.replica_name(), last_queued)
        search_replicas.trim(session)
    log_event("search.index_rebuilt", documents=count, cleared_outbox=clear_outbox)
    return count


def rebuild(*, clear_outbox: bool = True) -> int:
    """Rebuild the index from the database into a new folder and swap it in."""
    with search_indexer.indexer_lock(timeout=60):
        return _rebuild_locked(db.session, clear_outbox=clear_outbox)


def _inline_limit() -> int:
    return current_app.config["SEARCH_INLINE_REBUILD_LIMIT"]


def warm_up() -> None:
    """Load jieba's dictionary and open the index now, so no user's request waits for them.

    A gunicorn worker calls it before its first request (``gunicorn.conf.py``); commands
    never do, so their start-up stays light. A missing index is left to the first search.
    """
    from marketplace.search import analyzer

    analyzer.initialise()
    with suppress(search.IndexUnavailable):
        search.searcher(index_root())


def ensure_index() -> None:
    """Build the index if it is missing or unreadable (the database is only read).

    Raises SearchUnavailable when another thread is rebuilding it right now.
    """
    if search.index_exists(index_root()):
        return
    if search_documents.count_documents() > _inline_limit():
        # too big to rebuild inside a request: ``flask search rebuild`` (or make run) does it
        raise SearchUnavailable("索引重建中，请稍后刷新。")
    try:
        with search_indexer.indexer_lock(timeout=0.5):
            if not search.index_exists(index_root()):
                _rebuild_locked(db.session, clear_outbox=False)
    except search.IndexBusy:
        raise SearchUnavailable("索引重建中，请稍后刷新。") from None


def check() -> list[Divergence]:
    """List every listing that differs between the database and the index."""
    documents = search_documents.all_documents(short_transactions=True)
    wanted = {doc["key"]: digest(doc) for doc in documents}
    try:
        stored = search.searcher(index_root()).all_stored_fields()
        indexed = {fields["key"]: fields.get("digest") for fields in stored}
    except search.IndexUnavailable:
        indexed = {}  # a missing index differs in every listing
    problems = [Divergence(key, "missing") for key in wanted if key not in indexed]
    problems += [
        Divergence(key, "stale")
        for key, value in wanted.items()
        if key in indexed and indexed[key] != value
    ]
    problems += [Divergence(key, "extra") for key in indexed if key not in wanted]
    return sorted(problems, key=lambda item: item.key)


def search_listings(
    text: str, filters: search.Filters | None = None, *, page: int = 1, per_page: int = 20
) -> search.SearchResult:
    """Search the index; hits no longer visible in the database are dropped at once."""
    try:
        searcher = search.searcher(index_root())  # retried: a commit elsewhere is no outage
    except search.IndexUnavailable:
        ensure_index()  # missing or corrupt: rebuilt here when small, else the page says so
        try:
            searcher = search.searcher(index_root())
        except search.IndexUnavailable:
            raise SearchUnavailable("索引重建中，请稍后刷新。") from None
    result = search.run_search(
        searcher, text, filters, page=page, per_page=per_page, synonyms=search_synonyms.current()
    )
    visible = search_documents.visible_keys(hit["key"] for hit in result.hits)
    hidden = [hit for hit in result.hits if hit["key"] not in visible]
    if hidden:
        result.hits = [hit for hit in result.hits if hit["key"] in visible]
        result.total = max(len(result.hits), result.total - len(hidden))
    return result
