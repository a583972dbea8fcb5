"""Run a search on a Whoosh searcher: query building, filters, facets, suggestions.

The user's text never reaches Whoosh's query parser: it is cut into words and each
word becomes term queries, so query syntax (``*:(){}`` AND NOT ~ ^) is plain text.
"""

import re
import threading
from dataclasses import dataclass, field

import numpy as np

from marketplace.search.analyzer import bigrams, is_han, query_chunks, query_words
from marketplace.search.engine import FastIndex
from marketplace.search.highlight import mark, snippet
from marketplace.search.schema import KINDS, TEXT_FIELDS
from marketplace.search.store import origin
from marketplace.search.synonyms import Synonyms

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
SYNONYM_WEIGHT = 0.8  # a listing found through a synonym ranks a little below the word
_CHUNK = re.compile(r"\w+", re.UNICODE)


@dataclass
class Filters:
    kind: str | None = None
    category: str | None = None
    type: str | None = None
    township: str | None = None
    community: str | None = None
    min_capacity: int | None = None
    free: bool = False


@dataclass
class SearchResult:
    total: int
    hits: list[dict]
    page: int
    per_page: int
    words: list[str]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _known(reader, word: str) -> int:
    return sum(reader.doc_frequency(name, word) for name in TEXT_FIELDS)


def _nearest(searcher, chunk: str) -> str | None:
    for name in ("title", "tags", "body"):
        candidates = searcher.suggest(name, chunk, limit=1, maxdist=1)
        if candidates and len(candidates[0]) > 1:
            return candidates[0]
    return None


def suggest(searcher, text: str) -> str | None:
    """Offer another query: misspelt chunks replaced by the nearest indexed word."""
    reader = searcher.reader()
    corrected, changed = [], False
    for chunk in _CHUNK.findall((text or "").lower()[:MAX_QUERY_LENGTH]):
        words = query_words(chunk)
        if len(chunk) > 1 and not all(_known(reader, w) for w in words):
            nearest = _nearest(searcher, chunk)
            if nearest:
                corrected.append(nearest)
                changed = True
                continue
        corrected.append(chunk)
    if changed:
        return " ".join(corrected)
    words = query_words(text)
    if len(words) > 1:  # each word is known but not together: offer the most common one
        best = max(words, key=lambda w: _known(reader, w))
        return best if _known(reader, best) else None
    return None


def plan(text: str, synonyms: Synonyms | None = None) -> tuple[list[list[tuple]], list[str]]:
    """Turn a query into chunks, each a list of alternatives (words, pairs, weight),
    and the strings to mark in the hits.

    Every chunk must match (AND). A chunk's alternatives are itself and its synonyms
    (OR); a Chinese alternative of two or more characters matches by its jieba words
    or by its character pairs, so any listing containing it as a substring is found.
    """
    chunks, marked = [], []
    for chunk in query_chunks((text or "")[:MAX_QUERY_LENGTH])[:MAX_WORDS]:
        forms = synonyms.expand(chunk) if synonyms else [chunk]
        alternatives = []
        for number, form in enumerate(forms):
            words = query_words(form)[:MAX_WORDS]
            pairs = bigrams(form) if is_han(form) and len(form) > 1 else []
            if words or pairs:
                alternatives.append((words, pairs, 1.0 if number == 0 else SYNONYM_WEIGHT))
                marked += [w for w in [form if pairs else "", *words] if w and w not in marked]
        if alternatives:
            chunks.append(alternatives)
    return chunks, marked


def match(fast: FastIndex, text: str, synonyms: Synonyms | None = None):
    """Return (mask, score, words to mark) of ``text`` over one index generation."""
    mask = fast.live.copy()
    score = np.zeros(fast.size, dtype=np.float64)
    chunks, marked = plan(text, synonyms)
    for alternatives in chunks:
        found, points = fast.chunk_scores(alternatives)
        mask &= found
        score += points
    return mask, score, marked


def run_search(
    searcher,
    text: str,
    filters: Filters | None = None,
    *,
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
    synonyms: Synonyms | None = None,
) -> SearchResult:
    """Return one page of hits for ``text`` under ``filters``, with facet counts."""
    filters = filters or Filters()
    page = max(1, page)
    if filters.kind and filters.kind not in KINDS:
        return SearchResult(0, [], page, per_page, [])
    fast = fast_index(searcher)
    mask, score, words = match(fast, text, synonyms)
    fast.restrict(mask, filters)
    total = int(mask.sum())
    best = fast.top(mask, score, page * per_page)[(page - 1) * per_page :]
    hits = []
    for docnum in best:
        stored = dict(searcher.stored_fields(docnum))
        stored["title_marked"] = mark(stored.get("title", ""), words)
        stored["snippet"] = snippet(stored.get("body", ""), words)
        stored["score"] = float(score[docnum])
        hits.append(stored)
    facet_counts = fast.facets(mask) if facets else {}
    suggestion = suggest(searcher, text) if total == 0 and words else None
    return SearchResult(total, hits, page, per_page, words, facet_counts, suggestion)


FAST_INDEXES_KEPT = 4
_fast_indexes: dict[str, tuple[int, FastIndex]] = {}
_fast_lock = threading.Lock()


def fast_index(searcher) -> FastIndex:
    """Return the arrays of the searcher's index generation, shared across threads."""
    folder = origin(searcher)
    generation = searcher.reader().generation()
    with _fast_lock:
        cached = _fast_indexes.get(folder)
    if cached is not None and cached[0] == generation:
        return cached[1].bind(searcher)
    fast = FastIndex(searcher)  # built outside the lock: another thread may race, harmlessly
    with _fast_lock:
        _fast_indexes.pop(folder, None)
        _fast_indexes[folder] = (generation, fast)
        while len(_fast_indexes) > FAST_INDEXES_KEPT:  # retired generations, other roots
            _fast_indexes.pop(next(iter(_fast_indexes)))
    return fast
