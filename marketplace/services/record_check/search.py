"""Record check of the search index against the database."""

from marketplace.services.record_check import register_check


def index_differences() -> list[str]:
    """Listings that differ between the database and the search index."""
    from marketplace.services.search import search_index

    return [f"{problem.key}：{problem.label}" for problem in search_index.check()]


register_check("search.index", "搜索索引", index_differences)
