"""Query-time synonyms: 停车场 also asks for 停车位, 老人 for 老年人.

A synonym file holds one group per line, words separated by spaces or commas; ``#``
starts a comment. Every word of a group stands for every other. Expansion happens at
query time only, so editing the list takes effect on the next search, no rebuild.
"""

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

_SEPARATORS = re.compile(r"[\s,，、;；]+")
MAX_VARIANTS = 8
MAX_WORD_LENGTH = 20


def parse(text: str) -> list[list[str]]:
    """Return the groups of a synonym file's text (groups of one word are dropped)."""
    groups = []
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0]
        words: list[str] = []
        for word in _SEPARATORS.split(line.strip().lower()):
            if word and len(word) <= MAX_WORD_LENGTH and word not in words:
                words.append(word)
        if len(words) > 1:
            groups.append(words)
    return groups


def format_groups(groups: list[list[str]], header: str = "") -> str:
    """Return file text for ``groups`` (the inverse of :func:`parse`)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [" ".join(group) for group in groups]
    return "\n".join(lines) + "\n"


@dataclass
class Synonyms:
    groups: list[list[str]] = field(default_factory=list)

    def __post_init__(self):
        self._members: dict[str, list[int]] = {}
        for number, group in enumerate(self.groups):
            for word in group:
                self._members.setdefault(word, []).append(number)
        # the longest word wins where two overlap (停车位 before 车位)
        self._words = sorted(self._members, key=len, reverse=True)

    def expand(self, chunk: str) -> list[str]:
        """Return ``chunk`` followed by its variants (each synonym swapped in once)."""
        taken: list[tuple[int, int]] = []
        variants = [chunk]
        for word in self._words:
            start = chunk.find(word)
            while start >= 0:
                end = start + len(word)
                if all(end <= s or start >= e for s, e in taken):
                    taken.append((start, end))
                    for number in self._members[word]:
                        for other in self.groups[number]:
                            variant = chunk[:start] + other + chunk[end:]
                            if variant not in variants:
                                variants.append(variant)
                start = chunk.find(word, start + 1)
        return variants[: MAX_VARIANTS + 1]


class SynonymFile:
    """A synonym file read again whenever it changes on disk (checked by mtime)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._synonyms = Synonyms()

    def current(self) -> Synonyms:
        try:
            stamp = self.path.stat().st_mtime_ns
        except OSError:
            return Synonyms()
        with self._lock:
            if stamp != self._stamp:
                self._synonyms = Synonyms(parse(self.path.read_text(encoding="utf-8")))
                self._stamp = stamp
            return self._synonyms
