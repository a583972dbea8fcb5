"""Public search pages: results with facets, and the facility finder."""

from flask import Blueprint

bp = Blueprint("search", __name__)
