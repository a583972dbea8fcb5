"""Run a search on a Whoosh searcher: query building, filters, facets, suggestions.

The user's text never reaches Whoosh's query parser: it is cut into words and each
word becomes term queries, so query syntax (``*:(){}`` AND NOT ~ ^) is plain text.
"""

import re
from dataclasses import dataclass, field

from whoosh import query as q
from whoosh import sorting

from marketplace.search.analyzer import query_words
from marketplace.search.highlight import mark, snippet
from marketplace.search.schema import FACET_FIELDS, KINDS, TEXT_FIELDS

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
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


def _word_query(word: str) -> q.Query:
    return q.Or([q.Term(name, word, boost=boost) for name, boost in TEXT_FIELDS.items()])


def text_query(words: list[str]) -> q.Query:
    """Return a query matching documents that hold every word in some text field."""
    if not words:
        return q.Every()
    return q.And([_word_query(word) for word in words])


def filter_query(filters: Filters) -> q.Query | None:
    """Return the filter for ``filters``, or None when nothing is filtered."""
    terms: list[q.Query] = []
    for name in ("kind", "category", "type", "township", "community"):
        value = getattr(filters, name)
        if value:
            terms.append(q.Term(name, value))
    if filters.min_capacity:
        terms.append(q.NumericRange("capacity", filters.min_capacity, None))
    if filters.free:
        terms.append(q.Term("free", True))
    return q.And(terms) if terms else None


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


def run_search(
    searcher,
    text: str,
    filters: Filters | None = None,
    *,
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
) -> SearchResult:
    """Return one page of hits for ``text`` under ``filters``, with facet counts."""
    filters = filters or Filters()
    if filters.kind and filters.kind not in KINDS:
        return SearchResult(0, [], page, per_page, [])
    words = query_words((text or "")[:MAX_QUERY_LENGTH])[:MAX_WORDS]
    page = max(1, page)
    groupedby = (
        {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACET_FIELDS}
        if facets
        else None
    )
    results = searcher.search(
        text_query(words),
        filter=filter_query(filters),
        limit=page * per_page,
        groupedby=groupedby,
        terms=False,
    )
    total = len(results)
    hits = []
    for hit in results[(page - 1) * per_page : page * per_page]:
        stored = hit.fields()
        stored["title_marked"] = mark(stored.get("title", ""), words)
        stored["snippet"] = snippet(stored.get("body", ""), words)
        stored["score"] = hit.score
        hits.append(stored)
    facet_counts = {}
    if facets:
        for name in FACET_FIELDS:
            counts = results.groups(name)
            facet_counts[name] = dict(
                sorted(((k, v) for k, v in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))
            )
    suggestion = suggest(searcher, text) if total == 0 and words else None
    return SearchResult(total, hits, page, per_page, words, facet_counts, suggestion)
