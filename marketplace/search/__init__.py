"""The search index: Whoosh + jieba, a pure module (no Flask, no database).

Documents are plain dicts (see ``marketplace.services.search.search_documents``); the services
layer decides what is visible and keeps the index in step with the database.
"""

from marketplace.search.query import Filters, SearchResult, run_search
from marketplace.search.store import (
    IndexBusy,
    IndexUnavailable,
    build_generation,
    index_exists,
    locked,
    open_index,
    searcher,
    write,
)

__all__ = [
    "Filters",
    "IndexBusy",
    "IndexUnavailable",
    "SearchResult",
    "build_generation",
    "index_exists",
    "locked",
    "open_index",
    "run_search",
    "searcher",
    "write",
]
