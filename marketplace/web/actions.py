"""Run one service call for a submitted form and answer the browser: the one helper.

A view parses its form, then hands the service call to :func:`act`, which answers:

- success: flash ``success`` (when given; a text, or a function of the service's result)
  and redirect to ``target`` (a URL, or a function of the result);
- bad input (``InvalidInput``): the form is shown again in place (400) with each message
  beside its field and the input kept: on ``form`` for a WTForms form, else as
  ``errors`` / ``values`` for a hand-written one (``template`` and ``context``, or a
  ``page`` function when the form lives inside a page drawn by its own helper); a form
  without a page of its own (a button in a list) flashes the message and goes back;
- a clash with the record's state (``Conflict``): flashed, and the user goes ``back``
  (default: the page named by the form's ``next`` field, else the role's home page);
- anything else (``Forbidden``, ``NotFound`` …) goes on to the app's error handler, which
  audits refusals and rolls the session back.

Every refusal caught here rolls the session back too, so a half-made change never
reaches the next commit. The API needs no such helper: its views let domain errors reach
the same error handler, which answers ``{"error", "field"}`` JSON.
"""

from collections.abc import Callable

from flask import flash, redirect, render_template, request
from flask_login import current_user

from marketplace.errors import Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.web.navigation import home_for, safe_next

Target = str | Callable


def back_url() -> str:
    """Return the page the form came from (a ``next`` field on this site) or the home."""
    return safe_next(request.form.get("next")) or home_for(current_user)


def attach_error(form, error: InvalidInput) -> None:
    """Show a service's InvalidInput next to its fields (or on the form when unknown)."""
    for key, message in field_errors(error).items():
        field = form._fields.get(key) if key else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def field_errors(error: InvalidInput) -> dict:
    """Return ``{field: message}`` of a refusal (several when the service named several)."""
    return getattr(error, "errors", None) or {error.field: error.message}


def _url(where: Target, result=None) -> str:
    """Return a text (URL or message) as given, or as a function of ``result`` makes it."""
    return where(result) if callable(where) else where


def act(
    action: Callable,
    success: str | Callable | None,
    *,
    target: Target,
    form=None,
    template: str | None = None,
    context: dict | None = None,
    page: Callable | None = None,
    back: Target | None = None,
):
    """Run ``action()`` and answer as the module says (redirect, re-render or flash)."""
    try:
        result = action()
    except InvalidInput as error:
        db.session.rollback()
        if page is not None:
            attach_error(form, error)
            return page()
        if template is None:
            flash(error.message, "danger")
            return redirect(_url(back) if back else back_url())
        if form is not None:
            attach_error(form, error)
            return render_template(template, form=form, **(context or {})), 400
        errors = {key or "_": message for key, message in field_errors(error).items()}
        page = render_template(template, errors=errors, values=request.form, **(context or {}))
        return page, 400
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_url(back) if back else back_url())
    if success:
        flash(_url(success, result), "success")
    return redirect(_url(target, result))
