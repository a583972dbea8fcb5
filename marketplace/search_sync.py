"""Keep the search index in step with the database through an outbox.

Any flush that inserts, changes or deletes a searchable row (need, offer, unit,
community) adds a ``SearchOutbox`` row in the same transaction, so the pending index
update commits or rolls back with the change itself. After the commit the request only
tells the indexer (``services.search_indexer``): the background thread, a
``flask search worker`` or, in ``inline`` mode, the request itself applies the outbox;
if that fails the rows stay and are retried by the next drain: a committed change is
never lost to the index.
"""

from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.models import Community, Need, Offer, SearchOutbox, Unit

SEARCHABLE = {Need: "need", Offer: "offer", Unit: "unit", Community: "community"}


def document_key(obj) -> str | None:
    """Return the outbox key of a searchable row (e.g. ``need:12``), else None."""
    kind = SEARCHABLE.get(type(obj))
    return f"{kind}:{obj.id}" if kind and obj.id is not None else None


def mark_changed(session: Session, obj) -> None:
    """Queue ``obj``'s document for the index: for a change made by a Core UPDATE, which the
    ORM does not see (an attribute set to the value it already had is no change either)."""
    _queue(session, [obj])


def _queue(session: Session, objects) -> None:
    keys = {key for obj in objects if (key := document_key(obj))}
    session.info.setdefault("search_keys", set()).update(keys)


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _flush_context) -> None:
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    _queue(session, [*session.new, *changed, *session.deleted])
    pending = session.info.pop("search_keys", set()) - session.info.get("search_queued", set())
    if pending:
        session.info.setdefault("search_queued", set()).update(pending)
        session.add_all(SearchOutbox(doc_key=key) for key in sorted(pending))
        session.info["search_dirty"] = True


@event.listens_for(Session, "after_commit")
def _changes_committed(session: Session) -> None:
    if not session.info.pop("search_dirty", False) or session.info.get("search_indexer"):
        return
    from marketplace.services.search.search_indexer import changes_committed

    changes_committed()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _reset(session: Session) -> None:
    session.info.pop("search_queued", None)
    session.info.pop("search_dirty", None)
    session.info.pop("search_keys", None)
