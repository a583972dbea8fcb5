"""Public detail pages of needs, offers, units and communities (the search hits' URLs)."""

from flask import Blueprint

bp = Blueprint("listings", __name__)
