"""Chinese text analysis for the index: jieba segmentation as a Whoosh analyzer.

Documents are cut in jieba's *search* mode (a long word also yields the shorter words
inside it, so 免费停车位 indexes 免费, 停车, 车位 and 停车位); queries are cut in
precise mode, so 停车 finds 免费停车位 and 会议室 finds 共享会议室.
"""

import logging
import re
import threading
from importlib import resources

import jieba
from whoosh.analysis import LowercaseFilter, Token, Tokenizer

_WORD = re.compile(r"\w", re.UNICODE)
_init_lock = threading.Lock()
_initialised = False


def initialise() -> None:
    """Load jieba's dictionary and the domain words once per process, quietly."""
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if _initialised:
            return
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        words = resources.files("marketplace.data").joinpath("search_userdict.txt")
        with words.open("rb") as handle:
            jieba.load_userdict(handle)
        _initialised = True


def index_tokens(text: str):
    """Yield ``(word, start, end)`` for every searchable word of ``text`` (search mode)."""
    initialise()
    for word, start, end in jieba.tokenize(text or "", mode="search"):
        if _WORD.search(word):
            yield word.lower(), start, end


def query_words(text: str) -> list[str]:
    """Return the distinct words of a query (precise mode), in order."""
    initialise()
    words: list[str] = []
    for word in jieba.cut(text or "", HMM=True):
        word = word.strip().lower()
        if word and _WORD.search(word) and word not in words:
            words.append(word)
    return words


class ChineseTokenizer(Tokenizer):
    """A Whoosh tokenizer backed by :func:`index_tokens`."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, (word, start, end) in enumerate(index_tokens(value)):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def chinese_analyzer():
    """Return the analyzer used by every full-text field."""
    return ChineseTokenizer() | LowercaseFilter()
