"""Helpers of the members' pages: run one service call, draw a QR code, year argument."""

from collections.abc import Callable

import segno
from flask import flash, redirect, render_template, request
from markupsafe import Markup

from marketplace.errors import Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.services.members.members import county_now
from marketplace.web.exchange.marketplace_helpers import back_url


def submit(
    action: Callable,
    success: str | Callable,
    target: Callable,
    template: str | None = None,
    **context,
):
    """Call a service with the posted form: redirect on success, else show why not.

    ``success`` is the message flashed, or a function of the result that words it.

    Bad input re-renders ``template`` (400) with each field's Chinese message and the
    values typed (inline forms without a template flash it); a conflict with the current
    state is flashed and the user sent back.
    """
    try:
        result = action()
    except InvalidInput as error:
        db.session.rollback()
        if template is None:
            flash(error.message, "danger")
            return redirect(back_url())
        errors = getattr(error, "errors", None) or {error.field or "_": error.message}
        return render_template(template, errors=errors, values=request.form, **context), 400
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back_url())
    if callable(success):
        success = success(result)
    if success:
        flash(success, "success")
    return redirect(target(result))


def qr_svg(url: str) -> Markup:
    """Return a QR code of ``url`` as inline SVG (drawn by segno)."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=6, border=2, title="签到二维码"))


def year_arg() -> int:
    """Return the ``year`` query argument within a sensible range (default: this year)."""
    this_year = county_now().year
    year = request.args.get("year", this_year, type=int)
    return year if 2000 <= year <= this_year + 1 else this_year
