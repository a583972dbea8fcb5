"""``flask search …``: rebuild and check the search index."""

from flask.cli import AppGroup

search_cli = AppGroup("search", help="搜索索引。")
