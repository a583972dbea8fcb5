"""Read a term's posting list (its document numbers) as a NumPy array.

Whoosh's public way is ``matcher.all_ids()``: a Python generator, one call per posting.
Whoosh's W3 codec also keeps each block's ids as one decoded array; reading those
blocks (``_data``, ``_byteids``, ``_next_block``: private attributes) is several times
faster on long lists. The fast reader is used only when

* the installed Whoosh is exactly the version it was written against
  (``TESTED_WHOOSH``, pinned in ``pyproject.toml`` and ``constraints.txt``), and
* a self-check at start-up (first use in a process) gives the same ids as the public
  reader on a small index spanning several blocks, with deletions and several segments.

Otherwise every read goes through the public reader and a warning is logged once, so
a changed block format costs speed, never wrong documents.
"""

import logging
import threading

import numpy as np
import whoosh

log = logging.getLogger(__name__)

TESTED_WHOOSH = (2, 7, 5)
_state: dict[str, bool] = {}
_state_lock = threading.Lock()


def public_ids(leaf, field: str, term) -> np.ndarray:
    """Return the ids of ``term`` in one segment reader through Whoosh's public API."""
    return np.fromiter(leaf.postings(field, term).all_ids(), dtype=np.int64)


def block_ids(leaf, field: str, term) -> np.ndarray:
    """Return the same ids by decoding whole W3 blocks (private attributes)."""
    matcher = leaf.postings(field, term)
    if not hasattr(matcher, "_read_data"):
        return public_ids(leaf, field, term)
    chunks = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids = np.asarray(matcher._data[0], dtype=np.int64)
        if not matcher._byteids:  # stored as deltas within the block
            ids = np.cumsum(ids)
        chunks.append(ids)
        if matcher._lastblock:
            break
        matcher._next_block()
    return np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int64)


def self_check() -> bool:
    """Compare the block reader with the public one on a small in-memory index."""
    from whoosh.fields import ID, KEYWORD, Schema
    from whoosh.filedb.filestore import RamStorage

    if tuple(whoosh.__version__[:3]) != TESTED_WHOOSH:
        return False
    try:
        ix = RamStorage().create_index(Schema(key=ID(unique=True), words=KEYWORD))
        for batch in range(3):  # three segments; long lists span many 128-posting blocks
            writer = ix.writer()
            for number in range(batch * 300, (batch + 1) * 300):
                words = ["all", f"m{number % 7}", "even" if number % 2 == 0 else ""]
                writer.add_document(key=str(number), words=" ".join(w for w in words if w))
            writer.commit(merge=False)
        writer = ix.writer()
        for number in range(0, 900, 11):
            writer.delete_by_term("key", str(number))
        writer.commit(merge=False)
        with ix.searcher() as searcher:
            for leaf, _offset in searcher.reader().leaf_readers():
                for term in ("all", "m3", "even"):
                    if ("words", term) not in leaf:
                        continue
                    if not np.array_equal(
                        block_ids(leaf, "words", term), public_ids(leaf, "words", term)
                    ):
                        return False
        return True
    except Exception:  # any surprise in the private layout means: do not use it
        log.warning("search: block reader self-check raised", exc_info=True)
        return False


def fast_reader_ok() -> bool:
    """Return whether the block reader passed its self-check (run once per process)."""
    if "fast" not in _state:
        with _state_lock:
            if "fast" not in _state:
                ok = self_check()
                if not ok:
                    log.warning(
                        "search: Whoosh %s is not the tested %s or its block format changed;"
                        " reading postings through the public API (slower)",
                        ".".join(map(str, whoosh.__version__)),
                        ".".join(map(str, TESTED_WHOOSH)),
                    )
                _state["fast"] = ok
    return _state["fast"]


def read_ids(leaf, field: str, term) -> np.ndarray:
    """Return the ids of ``term`` in ``leaf``: fast when verified, else public."""
    if fast_reader_ok():
        return block_ids(leaf, field, term)
    return public_ids(leaf, field, term)
