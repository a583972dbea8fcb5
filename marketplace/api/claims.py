"""Claims: claim a need, accept/decline/withdraw, progress, done, rating."""

from marketplace.api import api_bp  # noqa: F401
