"""No input gives a 500: every route of ``app.url_map``, every field, hostile values.

Regressions: a NUL byte (PostgreSQL refuses it), dates near
year 1, ``1e309`` / ``Infinity``, lone surrogates, 100,000-deep JSON, a JSON string body,
``next=`` with CR/LF, and pagination links built from any query argument.
"""

import itertools
import re

import pytest
from sqlalchemy import select

from marketplace.models import User
from marketplace.services import fields
from marketplace.services.accounts import issue_api_token

ROLE_LOGIN = {
    "community": "community01",
    "unit": "unit01",
    "reviewer": "reviewer",
    "admin": "admin",
    "member": "member001",
    "township": "township01",
    "dispatcher": "dispatcher",
}
SKIP_POST = {"/logout"}
HOSTILE = [
    "1e309",
    "Infinity",
    "-1",
    "0001-01-01",
    "9" * 30,
    "字" * 5001 + "<script>x</script>' OR 1=1--",
    "*:(){}[]~^ NaN",
]
CONTROL = ["\x00", "a\x00b", "\x1b[31m", "/x\r\nSet-Cookie: a=b"]
RAW_JSON_BODIES = [
    b'"decline"',
    b"[1, 2]",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"quantity": 1e309, "note": "x"}',
    b'{"quantity": Infinity}',
    b'{"percent": NaN}',
    b'{"note": "\\ud800", "reason": "\\udfff"}',
    b'{"title": "a\\u0000b"}',
    b"{not json",
]
ALWAYS = {
    "page", "per_page", "q", "status", "kind", "category", "township", "community_id",
    "unit_id", "other_unit_id", "type_id", "category_id", "township_id", "date", "next",
    "_external", "from", "min_capacity", "weekday", "at", "free_only", "facility_kind",
    "starts_at", "ends_at", "starts_on", "ends_on", "day", "start", "end", "quantity",
    "measure_unit", "urgency", "open_weekdays", "open_from", "open_until", "is_free",
    "is_public", "monthly_quantity", "capacity", "reason", "stars", "percent", "role",
    "password", "current_password", "new_password", "confirm", "coverage", "proximity",
    "continuity", "pinned-0-unit", "pinned-0-community", "dry_run", "label",
}  # fmt: skip


def _field_names() -> list[str]:
    names = set(ALWAYS)
    for table in (fields.NEED, fields.OFFER, fields.CLAIM, fields.PROGRESS, fields.RATING,
                  fields.BOOKING, fields.ACCOUNT, fields.PLAN):  # fmt: skip
        names.update(table)
    return sorted(names)


FIELDS = _field_names()


def _rotations(values: list[str]) -> list[dict]:
    """Give every field every value across len(values) requests, in varying company."""
    return [
        {name: values[(index + shift) % len(values)] for index, name in enumerate(FIELDS)}
        for shift in range(len(values))
    ]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "static" in rule.rule:
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "allowed_roles", None)
        if roles is None:
            blueprint = rule.endpoint.rpartition(".")[0]
            for guard in app.before_request_funcs.get(blueprint, []):
                roles = getattr(guard, "allowed_roles", roles)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield path, method, sorted(roles) if roles else [None]


@pytest.fixture
def tokens(demo_app):
    found = {}
    for role, username in ROLE_LOGIN.items():
        user = demo_app.extensions["sqlalchemy"].session.scalar(
            select(User).where(User.username == username)
        )
        found[role] = issue_api_token(user, "fuzz")
    return found


class Failures(list):
    def check(self, response, what):
        if response.status_code >= 500:
            self.append((what if isinstance(what, str) else repr(what)[:200], response.status_code))


def test_no_page_route_answers_500(demo_app, demo_client, demo_auth):
    signed_in_as, checked, failures = None, 0, Failures()
    _check = failures.check
    web = [(p, m, r) for p, m, r in _routes(demo_app) if not p.startswith("/api/")]
    for path, method, roles in sorted(web, key=lambda route: str(route[2][0])):
        role = roles[0]
        if role != signed_in_as:
            demo_auth.logout()
            if role:
                assert demo_auth.login(ROLE_LOGIN[role]).status_code == 302
            signed_in_as = role
        if method == "GET":
            for args in _rotations(HOSTILE) + _rotations(CONTROL)[:1]:
                _check(demo_client.get(path, query_string=args), (method, path, args))
                checked += 1
        elif path not in SKIP_POST:
            for data in _rotations(HOSTILE) + _rotations(CONTROL)[:1]:
                response = demo_client.post(path, data=data, query_string={"next": data["next"]})
                _check(response, (method, path))
                checked += 1
    assert failures == []
    assert checked > 300


def test_no_api_route_answers_500(demo_app, demo_client, tokens):
    api = [(p, m, r) for p, m, r in _routes(demo_app) if p.startswith("/api/")]
    failures = Failures()
    _check = failures.check
    for (path, method, roles), anonymous in itertools.product(api, (False, True)):
        role = roles[0] or "unit"
        headers = {} if anonymous else {"Authorization": f"Bearer {tokens[role]}"}
        if method == "GET":
            for args in _rotations(HOSTILE)[:4] + _rotations(CONTROL)[:1]:
                _check(demo_client.get(path, query_string=args, headers=headers), (path, args))
            continue
        for body in _rotations(HOSTILE)[:4]:
            _check(demo_client.open(path, method=method, json=body, headers=headers), path)
        for raw in RAW_JSON_BODIES:
            response = demo_client.open(
                path, method=method, data=raw, headers=headers, content_type="application/json"
            )
            _check(response, (path, raw[:40]))
    assert failures == []


def test_the_reported_requests_are_refused_cleanly(demo_app, demo_client, tokens):
    unit = {"Authorization": f"Bearer {tokens['unit']}"}
    community = {"Authorization": f"Bearer {tokens['community']}"}
    assert (
        demo_client.post("/login", data={"username": "unit01\x00", "password": "x"}).status_code
        == 400
    )
    assert demo_client.get("/api/v1/needs?q=%00").status_code == 400
    assert demo_client.get("/api/v1/offers/15/bookings?date=0001-01-01").status_code in (400, 404)
    deep = b"[" * 100_000 + b"]" * 100_000
    for path, headers in (
        ("/api/v1/claims/1/decline", community),
        ("/api/v1/bookings/1/decline", unit),
    ):
        for raw in (b'"decline"', deep, b'{"reason": 1e309}'):
            response = demo_client.post(
                path, data=raw, headers=headers, content_type="application/json"
            )
            assert response.status_code in (400, 403, 404, 409), (
                path,
                raw[:20],
                response.status_code,
            )
            assert response.is_json and "error" in response.get_json()
    page = demo_client.get("/search?q=活动&community_id=abc&_external=1")
    assert page.status_code == 200
    assert "http://localhost" not in page.get_data(as_text=True)
    login = demo_client.post(
        "/login?next=/x%0d%0aSet-Cookie:%20a=b",
        data={"username": "unit01", "password": "demo-pass"},
    )
    assert login.status_code in (302, 400)
    assert "\n" not in login.headers.get("Location", "")
