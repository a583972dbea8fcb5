"""Helpers shared by the oversight pages: the year argument and refused-form handling."""

from flask import flash, redirect, render_template, request
from flask_login import current_user

from marketplace.errors import Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.web.query_args import year_arg

__all__ = ["me", "submit", "year_arg"]


def submit(action, success: str, target: str, *, template: str, context: dict):
    """Run a service call from a form: redirect on success, re-render with errors on bad input."""
    try:
        action()
    except InvalidInput as error:
        db.session.rollback()
        errors = getattr(error, "errors", None) or {error.field or "form": error.message}
        values = request.form.to_dict()
        return render_template(template, errors=errors, values=values, **context), 400
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(target)
    flash(success, "success")
    return redirect(target)


def me():
    """Return the signed-in user object (not the proxy)."""
    return current_user._get_current_object()
