"""A signed-in user's notifications: list and mark read."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
