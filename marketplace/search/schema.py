"""The Whoosh schema of a search document, and how a document becomes index fields."""

import hashlib
import json

from whoosh.fields import BOOLEAN, ID, NUMERIC, STORED, TEXT, Schema

from marketplace.search.analyzer import chinese_analyzer, gram_analyzer

KINDS = ("need", "facility", "service", "unit", "community")
FACET_FIELDS = ("kind", "category", "township")
# Full-text fields and the boost a match in each earns (a title hit outranks a body hit).
TEXT_FIELDS = {"title": 3.0, "tags": 1.5, "owner": 1.2, "body": 1.0}
# The character pairs of all of them, for substrings that jieba cuts across.
GRAM_FIELD = "grams"
# Fields an index must have to be read; an older index lacks them and is rebuilt.
REQUIRED_FIELDS = (GRAM_FIELD,)
# Document keys that describe the listing; ``updated`` is informative only.
CONTENT_KEYS = (
    "key", "kind", "id", "title", "body", "category", "type", "township", "community",
    "owner", "address", "capacity", "free", "open_weekdays", "open_from", "open_until", "url",
)  # fmt: skip


def build_schema() -> Schema:
    """Return the schema: stored fields for display, filter fields, full-text fields."""
    analyzer = chinese_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True, sortable=True),
        id=NUMERIC(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=False),
        body=TEXT(analyzer=analyzer, stored=True, phrase=False),
        owner=TEXT(analyzer=analyzer, stored=True, phrase=False),
        tags=TEXT(analyzer=analyzer, phrase=False),
        grams=TEXT(analyzer=gram_analyzer(), phrase=False),
        category=ID(stored=True, sortable=True),
        type=ID(stored=True),
        township=ID(stored=True, sortable=True),
        community=ID(stored=True),
        address=STORED(),
        capacity=NUMERIC(stored=True, bits=32),
        free=BOOLEAN(stored=True),
        open_weekdays=NUMERIC(stored=True, bits=32),
        open_from=NUMERIC(stored=True, bits=32),
        open_until=NUMERIC(stored=True, bits=32),
        url=STORED(),
        digest=STORED(),
    )


def digest(document: dict) -> str:
    """Return a fingerprint of a document's content, to compare index and database."""
    content = {name: document.get(name) for name in CONTENT_KEYS}
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(encoded.encode(), digest_size=12).hexdigest()


def index_fields(document: dict) -> dict:
    """Return the Whoosh fields for ``document`` (None values are left out)."""
    tags = " ".join(
        str(document.get(name) or "") for name in ("category", "type", "township", "community")
    )
    fields = {name: document.get(name) for name in CONTENT_KEYS}
    texts = [document.get(name) or "" for name in ("title", "body", "owner")]
    fields.update(
        tags=tags,
        grams=" ".join([*texts, tags]),
        title=document.get("title") or "",
        body=document.get("body") or "",
        owner=document.get("owner") or "",
        digest=digest(document),
    )
    return {name: value for name, value in fields.items() if value is not None and value != ""}
