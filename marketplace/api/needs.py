"""Needs: list, read, post, withdraw (role community for writes)."""

from marketplace.api import api_bp  # noqa: F401
