"""Where each role lands after login, and safe ``?next=`` handling."""

from urllib.parse import urlsplit

from flask import url_for

ROLE_HOME = {
    "community": "community.dashboard",
    "unit": "unit.dashboard",
    "reviewer": "review.dashboard",
    "admin": "admin.dashboard",
    "dispatcher": "hotline_desk.queue",
    "member": "members.home",
    "township": "compliance.matrix",
}


def home_for(user) -> str:
    """Return the landing page of ``user``'s role."""
    return url_for(ROLE_HOME.get(user.role, "main.index"))


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only when it is a path on this site (no scheme, host or //)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None  # a line break would split the Location header
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
