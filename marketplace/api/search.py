"""Search over published listings (anonymous)."""

from marketplace.api import api_bp  # noqa: F401
