"""Code, tests and docs state their rules; they never cite documents the repository lacks.

A comment such as "(RELIABILITY S12)", "DESIGN §5", "seed 004" or "issue 16" points at a
text the reader does not have: the rule itself must be written where it applies.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHERE = ("marketplace", "tests", "templates", "docs", "bench", "README.md")
SUFFIXES = {".py", ".html", ".md", ".txt", ".toml", ".cfg", ".ini", ".js", ".css"}
CITATION = re.compile(
    r"DESIGN(?:\.md)?\s*§|RELIABILITY|§\s*\d|[Ss]eed 00\d|\b[Ii]ssue[- ]\d+|"
    r"\((?:[SCWL]\d{1,2}(?:[–-][SCWL]?\d{1,2})?(?:,\s*)?)+\)|"
    r'"""[SCWL]\d{1,2}\b|#\s*[SCWL]\d{1,2}:'
)


def _files():
    for name in WHERE:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def citations() -> list[str]:
    """Every line of the sources that cites an absent document."""
    found = []
    for path in _files():
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CITATION.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    return found


def test_no_citation_of_absent_documents():
    found = citations()
    assert not found, "\n".join(found)


def test_the_pattern_catches_each_kind_of_citation():
    for cited in [
        "the cap (DESIGN §15)",
        "(RELIABILITY S12)",
        "seed 004's floor",
        "Seed 001: 「…」",
        "before issue 16",
        "the issue-16 targets",
        "under concurrency (C4).",
        "(S1, S14, S16, S17)",
        '"""S4."""',
        "# S12: no self-approval",
    ]:
        assert CITATION.search(cited), cited
    for plain in ["Whoosh's W3 codec", "points per hour", "S3 bucket"]:
        assert not CITATION.search(plain), plain
