"""The county's synonym list for search: where it lives, reading it, editing it.

The shipped list is ``marketplace/data/search_synonyms.txt``. An administrator's edits
go to ``SEARCH_SYNONYMS_FILE`` (default ``instance/search_synonyms.txt``), which, once
it exists, replaces the shipped list. Searches read the file again when it changes, so
an edit takes effect on the next search; each machine reads its own copy.
"""

from importlib import resources
from pathlib import Path

from flask import current_app

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.search.synonyms import (
    MAX_WORD_LENGTH,
    SynonymFile,
    Synonyms,
    format_groups,
    parse,
)
from marketplace.services import audit

HEADER = """搜索同义词表：每行一组，词语用空格分隔；一组中的任一个词也会搜到其他词。
由 flask --app wsgi search synonyms 维护；也可直接编辑本文件，下一次搜索即生效。"""
_files: dict[str, SynonymFile] = {}


def shipped_path() -> Path:
    return Path(str(resources.files("marketplace.data").joinpath("search_synonyms.txt")))


def edited_path() -> Path:
    return Path(current_app.config["SEARCH_SYNONYMS_FILE"])


def active_path() -> Path:
    """Return the administrator's file when it exists, else the shipped one."""
    edited = edited_path()
    return edited if edited.exists() else shipped_path()


def current() -> Synonyms:
    """Return the synonyms in force (re-read when the file changes)."""
    path = str(active_path())
    reader = _files.get(path)
    if reader is None:
        reader = _files[path] = SynonymFile(path)
    return reader.current()


def groups() -> list[list[str]]:
    return parse(active_path().read_text(encoding="utf-8"))


def _save(new_groups: list[list[str]], action: str, detail: str) -> None:
    path = edited_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(format_groups(new_groups, HEADER), encoding="utf-8")
    temporary.replace(path)
    audit.record(action, object_type="search_synonyms", detail=detail[:500], username="cli")
    db.session.commit()


def add_group(words: list[str]) -> list[str]:
    """Add a group of words that stand for each other; merge it into groups it touches."""
    cleaned = parse(" ".join(words))
    if not cleaned:
        raise InvalidInput(f"同义词组至少需要两个不同的词（每个不超过 {MAX_WORD_LENGTH} 个字）。")
    group = cleaned[0]
    kept, merged = [], list(group)
    for existing in groups():
        if set(existing) & set(group):
            merged += [w for w in existing if w not in merged]
        else:
            kept.append(existing)
    _save([*kept, merged], "search.synonyms_add", " ".join(merged))
    return merged


def remove_word(word: str) -> None:
    """Take ``word`` out of every group (a group left with one word goes)."""
    word = word.strip().lower()
    current_groups = groups()
    if not any(word in group for group in current_groups):
        raise InvalidInput(f"同义词表中没有“{word}”。")
    remaining = [[w for w in group if w != word] for group in current_groups]
    _save([g for g in remaining if len(g) > 1], "search.synonyms_remove", word)
