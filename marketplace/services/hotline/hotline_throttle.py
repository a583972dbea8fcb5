"""The per-address limit on anonymous online hotline requests (a flood must not bury calls).

Kept by the shared limiter (``services/throttle.py``: an atomic counter row per key,
correct across threads, processes and both databases); why not Flask-Limiter is said
there. Called first in the intake, before any row of the request is written.
"""

from flask import current_app, has_app_context

from marketplace.errors import TooManyRequests
from marketplace.services import throttle
from marketplace.services.audit import client_address

DEFAULT_PER_HOUR = 5


def per_hour() -> int:
    """Return how many online requests one address may make per hour (a setting)."""
    if has_app_context():
        return int(current_app.config["HOTLINE_ONLINE_PER_HOUR"])
    return DEFAULT_PER_HOUR


def check_online_intake() -> None:
    """Refuse an address that sent too many online requests in the last hour."""
    address = client_address()
    if not address:  # not a web request (command line, demo data, service tests)
        return
    if not throttle.hit(f"hotline:intake:{address}", per_hour(), 3600):
        raise TooManyRequests("提交过于频繁，请稍后再试，或直接拨打志愿服务110热线。")
