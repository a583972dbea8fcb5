"""Helpers for the marketplace page tests: a second signed-in client, query counting."""

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, func, select

from marketplace import clock
from marketplace.extensions import db
from tests.factories import PASSWORD, make_user, service_type

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def signed_in(app, role: str, **overrides):
    """Return (user, client) for a new user of ``role`` signed in on a fresh client."""
    user = make_user(role, **overrides)
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return user, client


def count(model, *where) -> int:
    """Return how many rows of ``model`` match (ends the test's transaction)."""
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.commit()
    return value


def need_form(**overrides) -> dict:
    """Return a valid new-need form submission."""
    data = {
        "type_id": str(service_type().id),
        "title": "老旧小区楼道清洁",
        "description": "需要志愿者清理楼道杂物",
        "quantity": "5",
        "measure_unit": "people",
        "starts_on": clock.today().isoformat(),
        "ends_on": (clock.today() + timedelta(days=30)).isoformat(),
        "urgency": "2",
    }
    data.update(overrides)
    return data


@contextmanager
def counted_statements():
    """Count the SQL statements run inside the block (a list holding one number)."""
    counter = [0]

    def before_cursor_execute(*_args):
        counter[0] += 1

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def assert_escaped(html: str) -> None:
    """Assert hostile text appears only escaped in a page."""
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html
    assert ESCAPED_SCRIPT in html
