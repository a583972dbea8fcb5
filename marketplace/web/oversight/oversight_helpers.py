"""Helpers shared by the oversight pages: the signed-in user (and, for now, old names)."""

from flask_login import current_user

from marketplace.web.actions import act
from marketplace.web.query_args import year_arg

__all__ = ["me", "submit", "year_arg"]


def submit(action, success: str, target: str, *, template: str, context: dict):
    """The meetings and pair-activity pages' old name for :func:`marketplace.web.actions.act`.

    Kept only until those pages call ``act`` themselves (parallel work); remove then.
    """
    return act(action, success, target=target, back=target, template=template, context=context)


def me():
    """Return the signed-in user object (not the proxy)."""
    return current_user._get_current_object()
