"""Fast evaluation of a search over a Whoosh index with NumPy arrays.

Whoosh stores the postings and the documents (read through ``postings.read_ids``,
which checks its fast path against Whoosh's public API); evaluating a query in pure Python over
tens of thousands of matches (all of them, to count facets) was too slow, so each
searcher gets a :class:`FastIndex`: posting lists read once into NumPy arrays (cached),
facet codes per document, and a live-document mask. A query is then a few vector
operations: word masks AND-ed, field-boosted idf scores summed, facet counts by
``bincount``, and a top-k by ``argpartition`` (ties broken by document number, so
pages never overlap).
"""

import math
import threading
from collections import OrderedDict

import numpy as np
from whoosh import query as wq

from marketplace.search.postings import read_ids
from marketplace.search.schema import FACET_FIELDS, GRAM_FIELD, TEXT_FIELDS

POSTINGS_CACHE = 4096
GRAM_WEIGHT = 0.3  # a substring found only through character pairs ranks below words


class FastIndex:
    """Arrays derived from one generation of the index, shared by every thread.

    Whoosh readers are not thread-safe, so reads go through the calling thread's own
    searcher, bound with :meth:`bind`; the arrays themselves are read-only.
    """

    def __init__(self, searcher):
        self._local = threading.local()
        self._lock = threading.Lock()
        self.bind(searcher)
        reader = self.reader
        self.size = reader.doc_count_all()
        self.live_count = reader.doc_count()
        self._postings: OrderedDict[tuple, np.ndarray] = OrderedDict()
        if reader.has_deletions():
            self.live = np.zeros(self.size, dtype=bool)
            self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        else:
            self.live = np.ones(self.size, dtype=bool)
        self.facet_values: dict[str, list[str]] = {}
        self.facet_codes: dict[str, np.ndarray] = {}
        for name in FACET_FIELDS:
            values = [value for value in reader.field_terms(name) if value]
            codes = np.full(self.size, -1, dtype=np.int32)
            for number, value in enumerate(values):
                codes[self.postings(name, value)] = number
            self.facet_values[name], self.facet_codes[name] = values, codes

    def bind(self, searcher) -> "FastIndex":
        """Read through ``searcher`` (this thread's) from now on; return self."""
        self._local.searcher = searcher
        return self

    @property
    def searcher(self):
        return self._local.searcher

    @property
    def reader(self):
        return self._local.searcher.reader()

    def postings(self, field: str, term) -> np.ndarray:
        """Return the document numbers holding ``term`` in ``field`` (cached)."""
        key = (field, term)
        with self._lock:
            cached = self._postings.get(key)
            if cached is not None:
                self._postings.move_to_end(key)
                return cached
        ids = self._read_postings(field, term)
        with self._lock:
            self._postings[key] = ids
            if len(self._postings) > POSTINGS_CACHE:
                self._postings.popitem(last=False)
        return ids

    def _read_postings(self, field: str, term) -> np.ndarray:
        chunks = [
            read_ids(leaf, field, term) + offset
            for leaf, offset in self.reader.leaf_readers()
            if (field, term) in leaf
        ]
        return np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int64)

    def idf(self, df: int) -> float:
        return math.log(1 + (self.live_count - df + 0.5) / (df + 0.5))

    def word_scores(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return (mask of documents holding every word, field-boosted idf score)."""
        mask = self.live.copy()
        score = np.zeros(self.size, dtype=np.float64)
        for word in words:
            holds = np.zeros(self.size, dtype=bool)
            for field, boost in TEXT_FIELDS.items():
                ids = self.postings(field, word)
                if len(ids):
                    holds[ids] = True
                    score[ids] += boost * self.idf(len(ids))
            mask &= holds
        return mask, score

    def gram_scores(self, pairs: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return (mask of documents holding every character pair, mean pair idf)."""
        mask = self.live.copy()
        score = np.zeros(self.size, dtype=np.float64)
        for pair in pairs:
            ids = self.postings(GRAM_FIELD, pair)
            if not len(ids):
                return np.zeros(self.size, dtype=bool), score
            mask &= self._member(ids)
            score[ids] += self.idf(len(ids)) / len(pairs)
        return mask, score

    def chunk_scores(self, variants: list[tuple[list[str], list[str], float]]):
        """Return (mask, score) of one query chunk given as alternatives.

        Each alternative is (jieba words, character pairs, weight): a document matches
        it by holding every word (scored as :meth:`word_scores`, averaged) or, when pairs are
        given, every pair (scored ``GRAM_WEIGHT`` × their mean idf, below a word
        match). The chunk's score is its best alternative's, times that one's weight.
        """
        mask = np.zeros(self.size, dtype=bool)
        score = np.zeros(self.size, dtype=np.float64)
        for words, pairs, weight in variants:
            if words:  # a mean over the words, so that alternatives compare fairly
                found, points = self.word_scores(words)
                points /= len(words)
            else:
                found, points = np.zeros(self.size, dtype=bool), np.zeros(self.size)
            if pairs:
                by_pairs, pair_points = self.gram_scores(pairs)
                only_pairs = by_pairs & ~found
                points[only_pairs] = GRAM_WEIGHT * pair_points[only_pairs]
                found |= by_pairs
            np.maximum(score, np.where(found, weight * points, 0.0), out=score)
            mask |= found
        return mask, score

    def restrict(self, mask: np.ndarray, filters) -> None:
        """Apply ``filters`` to ``mask`` in place."""
        for name in FACET_FIELDS:
            value = getattr(filters, name)
            if value:
                values = self.facet_values[name]
                code = values.index(value) if value in values else -2
                mask &= self.facet_codes[name] == code
        for name in ("type", "community"):
            value = getattr(filters, name)
            if value:
                mask &= self._member(self.postings(name, value))
        if filters.free:
            mask &= self._member(self.postings("free", True))
        if filters.min_capacity:
            key = ("capacity>=", filters.min_capacity)
            with self._lock:
                ids = self._postings.get(key)
            if ids is None:
                found = self.searcher.docs_for_query(
                    wq.NumericRange("capacity", filters.min_capacity, None)
                )
                ids = np.fromiter(found, dtype=np.int64)
                with self._lock:
                    self._postings[key] = ids
            mask &= self._member(ids)

    def _member(self, ids: np.ndarray) -> np.ndarray:
        member = np.zeros(self.size, dtype=bool)
        member[ids] = True
        return member

    def facets(self, mask: np.ndarray) -> dict[str, dict[str, int]]:
        """Count the matching documents per facet value."""
        counts = {}
        for name in FACET_FIELDS:
            values = self.facet_values[name]
            tally = np.bincount(self.facet_codes[name][mask] + 1, minlength=len(values) + 1)
            pairs = [(values[i], int(n)) for i, n in enumerate(tally[1:]) if n]
            counts[name] = dict(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
        return counts

    def top(self, mask: np.ndarray, score: np.ndarray, count: int) -> list[int]:
        """Return the best ``count`` document numbers, best first (ties: lower number)."""
        matched = np.flatnonzero(mask)
        if not len(matched) or count <= 0:
            return []
        # one sortable key: score rounded to 1e-6, then the document number
        key = -np.round(score[matched] * 1e6) * float(self.size + 1) + matched
        if len(matched) > count:
            best = np.argpartition(key, count - 1)[:count]
            matched, key = matched[best], key[best]
        return [int(doc) for doc in matched[np.argsort(key, kind="stable")]]
