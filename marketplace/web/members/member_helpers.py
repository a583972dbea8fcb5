"""Helpers of the members' pages: run one service call, draw a QR code, year argument."""

from collections.abc import Callable

import segno
from markupsafe import Markup

from marketplace.web.actions import act
from marketplace.web.query_args import year_arg

__all__ = ["qr_svg", "submit", "year_arg"]


def submit(
    action: Callable,
    success: str | Callable,
    target: Callable,
    template: str | None = None,
    **context,
):
    """The members' pages' old name for :func:`marketplace.web.actions.act`.

    Kept only until those pages call ``act`` themselves (parallel work); remove then.
    """
    return act(action, success or None, target=target, template=template, context=context)


def qr_svg(url: str) -> Markup:
    """Return a QR code of ``url`` as inline SVG (drawn by segno)."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=6, border=2, title="签到二维码"))
