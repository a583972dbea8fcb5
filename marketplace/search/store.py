"""Where the index lives on disk: generations, one writer at a time, cached searchers.

``<root>/CURRENT`` names the live generation folder. A rebuild writes a new generation
and swaps ``CURRENT`` atomically, so readers never see a half-built index. Writers take
a process-wide lock, then Whoosh's file lock (other processes); a writer that cannot get
them in time raises :class:`IndexBusy` and the caller leaves its updates queued.
"""

import fcntl
import os
import shutil
import threading
import time
import uuid
import weakref
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from marketplace.search.schema import REQUIRED_FIELDS, build_schema, index_fields

CURRENT = "CURRENT"
LOG_POSITION = "LOG_POSITION"
WRITE_LOCK = threading.Lock()  # one writer per process; Whoosh's file lock covers others
_local = threading.local()  # Whoosh searchers are not shared between threads
_origins: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # searcher -> folder
_origins_lock = threading.Lock()
# Opening can fail for a moment while another process commits (a segment file named by
# the table of contents it read was just merged away); opening again then succeeds.
OPEN_ATTEMPTS = 4
OPEN_RETRY_DELAY = 0.05


class IndexUnavailable(RuntimeError):
    """The index is missing or unreadable; a rebuild restores it."""


class IndexBusy(RuntimeError):
    """Another writer holds the index; try again later."""


def current_generation(root: str | Path) -> Path | None:
    """Return the live generation folder, or None when there is no index."""
    try:
        name = (Path(root) / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    folder = Path(root) / name
    return folder if name and folder.is_dir() else None


def open_index(root: str | Path, *, attempts: int = OPEN_ATTEMPTS):
    """Open the live index, raising IndexUnavailable when missing or corrupt.

    A failure is retried a few times (``OPEN_ATTEMPTS``) before it counts, so a commit
    or a generation swap in another process at the same moment is not mistaken for a
    broken index.
    """
    for attempt in range(1, attempts + 1):
        folder = current_generation(root)
        if folder is None:
            raise IndexUnavailable("no index")  # not transient: the pointer swap is atomic
        try:
            ix = whoosh_index.open_dir(str(folder))
        except Exception as error:  # whoosh raises many kinds on damaged files
            if attempt == attempts:
                raise IndexUnavailable(str(error)) from error
            time.sleep(OPEN_RETRY_DELAY * attempt)
            continue
        if not all(name in ix.schema for name in REQUIRED_FIELDS):
            raise IndexUnavailable("index built by an older version: rebuild it")
        return ix
    raise IndexUnavailable("no index")


def index_exists(root: str | Path) -> bool:
    """Tell whether a readable index exists under ``root``."""
    try:
        open_index(root)
    except IndexUnavailable:
        return False
    return True


@contextmanager
def locked(timeout: float = 10.0):
    """Hold the process-wide write lock, or raise IndexBusy after ``timeout`` seconds."""
    if not WRITE_LOCK.acquire(timeout=timeout):
        raise IndexBusy("index writer busy")
    try:
        yield
    finally:
        WRITE_LOCK.release()


@contextmanager
def writer(root: str | Path, *, timeout: float = 2.0):
    """Yield a Whoosh writer on the live index; commit on success, cancel on error.

    The caller must hold :func:`locked`.
    """
    ix = open_index(root)
    try:
        index_writer = ix.writer(timeout=timeout, delay=0.05)
    except LockError as error:
        raise IndexBusy("index locked by another process") from error
    try:
        yield index_writer
    except BaseException:
        index_writer.cancel()
        raise
    index_writer.commit()


def write(root: str | Path, documents: list[dict], deletions: list[str]) -> None:
    """Replace ``documents`` by key and delete ``deletions`` in one index commit."""
    with writer(root) as index_writer:
        for key in deletions:
            index_writer.delete_by_term("key", key)
        for document in documents:
            index_writer.update_document(**index_fields(document))


def build_generation(
    root: str | Path, documents, *, hold_live_lock: bool = True, log_position: int | None = None
) -> int:
    """Write every document into a new generation and make it live; return the count.

    ``log_position`` (the change-log id the documents reflect) is kept beside the
    generation, so a replica can register from the index itself (:func:`built_position`).

    While building, the live index's file lock is held (when it exists) so that other
    processes queue their updates instead of writing to a generation about to retire.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    live = current_generation(root)
    live_writer = None
    if hold_live_lock and live is not None:
        try:
            live_writer = whoosh_index.open_dir(str(live)).writer(timeout=5.0, delay=0.05)
        except LockError as error:
            raise IndexBusy("index locked by another process") from error
        except Exception:
            live_writer = None  # a corrupt live index is exactly what a rebuild replaces
    name = f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    folder = root / name
    folder.mkdir()
    count = 0
    try:
        ix = whoosh_index.create_in(str(folder), build_schema())
        new_writer = ix.writer(limitmb=256)
        for document in documents:
            new_writer.add_document(**index_fields(document))
            count += 1
        new_writer.commit()
        if log_position is not None:
            (folder / LOG_POSITION).write_text(str(log_position), encoding="utf-8")
        pointer = root / f"{CURRENT}.{name}.tmp"
        pointer.write_text(name, encoding="utf-8")
        os.replace(pointer, root / CURRENT)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        if live_writer is not None:
            live_writer.cancel()
    _remove_old_generations(root, keep=name)
    return count


def built_position(root: str | Path) -> int | None:
    """Return the change-log position the live generation was built at, if recorded."""
    folder = current_generation(root)
    try:
        return int((folder / LOG_POSITION).read_text(encoding="utf-8")) if folder else None
    except (OSError, ValueError):
        return None


def _remove_old_generations(root: Path, keep: str) -> None:
    for folder in root.glob("gen-*"):
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)


def searcher(root: str | Path):
    """Return this thread's cached searcher on the live index, refreshed if it changed.

    When a newer index cannot be opened even after retries, the previous searcher keeps
    answering (results are re-checked against the database anyway) rather than failing.
    """
    cache = _local.__dict__.setdefault("searchers", {})
    key = str(root)
    folder = current_generation(root)
    cached = cache.get(key)
    if cached is not None and folder is not None and cached[0] == folder:
        try:
            # not Searcher.refresh(): it reuses segment readers and misses new deletions
            if cached[1].up_to_date():
                return cached[1]
        except Exception:
            pass
    try:
        ix = open_index(root)
        fresh = ix.searcher()
    except Exception as error:
        if cached is not None and folder is not None:
            return cached[1]
        if isinstance(error, IndexUnavailable):
            raise
        raise IndexUnavailable(str(error)) from error
    if cached is not None:
        cached[1].close()
    cache[key] = (folder, fresh)
    with _origins_lock:
        _origins[fresh] = str(folder)
    return fresh


def origin(searcher) -> str:
    """Return the generation folder a searcher reads (a cache key for derived arrays)."""
    with _origins_lock:
        folder = _origins.get(searcher)
    return folder or f"searcher-{id(searcher)}"


def forget_searchers() -> None:
    """Close this thread's cached searchers (tests, after deleting an index)."""
    for _folder, cached in _local.__dict__.pop("searchers", {}).values():
        cached.close()


@contextmanager
def file_lock(root: str | Path, *, timeout: float = 0.0):
    """Hold ``<root>/indexer.lock`` exclusively (one indexer per folder across processes).

    Raises IndexBusy after ``timeout`` seconds. The lock goes with the process, so a
    crashed indexer never leaves it behind.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with open(root / "indexer.lock", "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy("another indexer is running") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
