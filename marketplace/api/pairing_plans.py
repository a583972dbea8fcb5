"""Pairing plans: create, read, approve, publish; a community's published pairs."""

from marketplace.api import api_bp  # noqa: F401
