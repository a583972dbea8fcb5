"""Chinese text analysis for the index: jieba words, and character bigrams beside them.

Documents are cut in jieba's *search* mode (a long word also yields the shorter words
inside it, so 免费停车位 indexes 免费, 停车, 车位 and 停车位); queries are cut in
precise mode, so 停车 finds 免费停车位 and 会议室 finds 共享会议室.

Words alone miss text that jieba cuts across the query (新华社区 is 新华社 + 区, so 社区
is not one of its words; 社区助餐点 is 社区 + 助 + 餐点). So every run of Chinese
characters is also indexed as overlapping character pairs (新华社区 → 新华 华社 社区),
and a query run of two or more characters also matches every document holding all of
its pairs (see ``engine.FastIndex.chunk_scores``).
"""

import logging
import re
import threading
from importlib import resources

from whoosh.analysis import LowercaseFilter, Token, Tokenizer

_WORD = re.compile(r"\w", re.UNICODE)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RUN = re.compile(f"[{_HAN}]+")
# a query chunk: a run of Chinese characters, or a run of other word characters
QUERY_CHUNK = re.compile(f"[{_HAN}]+|[^\\W{_HAN}]+", re.UNICODE)
_init_lock = threading.Lock()
_initialised = False
_jieba = None  # imported on first use: every `flask` command would pay ~1 s otherwise


def initialise():
    """Import jieba, load its dictionary and the domain words once per process, quietly."""
    global _initialised, _jieba
    if _initialised:
        return _jieba
    with _init_lock:
        if _initialised:
            return _jieba
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        words = resources.files("marketplace.data").joinpath("search_userdict.txt")
        with words.open("rb") as handle:
            jieba.load_userdict(handle)
        _jieba = jieba
        _initialised = True
    return _jieba


def index_tokens(text: str):
    """Yield ``(word, start, end)`` for every searchable word of ``text`` (search mode)."""
    jieba = initialise()
    for word, start, end in jieba.tokenize(text or "", mode="search"):
        if _WORD.search(word):
            yield word.lower(), start, end


def query_words(text: str) -> list[str]:
    """Return the distinct words of a query (precise mode), in order."""
    jieba = initialise()
    words: list[str] = []
    for word in jieba.cut(text or "", HMM=True):
        word = word.strip().lower()
        if word and _WORD.search(word) and word not in words:
            words.append(word)
    return words


def is_han(text: str) -> bool:
    """Tell whether ``text`` is all Chinese characters."""
    return bool(text) and HAN_RUN.fullmatch(text) is not None


def bigrams(text: str) -> list[str]:
    """Return the distinct character pairs of every Chinese run in ``text``, in order."""
    pairs: list[str] = []
    for run in HAN_RUN.findall(text or ""):
        for start in range(len(run) - 1):
            pair = run[start : start + 2]
            if pair not in pairs:
                pairs.append(pair)
    return pairs


def query_chunks(text: str) -> list[str]:
    """Split a query into chunks: runs of Chinese characters and runs of other words."""
    chunks: list[str] = []
    for chunk in QUERY_CHUNK.findall((text or "").lower()):
        if chunk not in chunks:
            chunks.append(chunk)
    return chunks


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


class BigramTokenizer(Tokenizer):
    """A Whoosh tokenizer yielding the overlapping pairs of every Chinese run."""

    def __call__(self, value, positions=False, chars=False, removestops=True, start_pos=0,
                 start_char=0, mode="", **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for run in HAN_RUN.finditer(value or ""):
            text = run.group()
            for offset in range(len(text) - 1):
                token.text = text[offset : offset + 2]
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = position
                    position += 1
                if chars:
                    token.startchar = start_char + run.start() + offset
                    token.endchar = token.startchar + 2
                yield token


def gram_analyzer():
    """Return the analyzer of the ``grams`` field (character pairs)."""
    return BigramTokenizer()
