"""Offers: list and post (role unit for writes)."""

from marketplace.api import api_bp  # noqa: F401
