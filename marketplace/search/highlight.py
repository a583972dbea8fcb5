"""Snippets with the query words marked, safe to put in a page.

The stored text is escaped piece by piece; the only markup added is ``<mark>``.
"""

import re

from markupsafe import Markup, escape


def _pattern(words) -> re.Pattern | None:
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _marked(text: str, pattern: re.Pattern | None) -> str:
    parts: list[str] = []
    position = 0
    for found in pattern.finditer(text) if pattern else ():
        parts.append(str(escape(text[position : found.start()])))
        parts.append(f"<mark>{escape(found.group())}</mark>")
        position = found.end()
    parts.append(str(escape(text[position:])))
    return "".join(parts)


def snippet(text: str, words, *, width: int = 80) -> Markup:
    """Return up to ``width`` characters of ``text`` around the first match, marked."""
    text = " ".join((text or "").split())
    pattern = _pattern(words)
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.start() > width // 3:
        start = match.start() - width // 3
    end = min(len(text), start + width)
    body = _marked(text[start:end], pattern)
    return Markup(("…" if start else "") + body + ("…" if end < len(text) else ""))


def mark(text: str, words) -> Markup:
    """Return the whole ``text`` escaped with the query words marked (titles)."""
    return Markup(_marked(text or "", _pattern(words)))
