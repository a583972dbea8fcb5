"""The role × route matrix, built from ``app.url_map`` and each blueprint's role guard.

Every page route either belongs to a blueprint guarded by ``page_guard`` or to one of
the public blueprints named here; a new blueprint must choose. Anonymous visitors of a
guarded route are sent to the login page; every other role gets 403 and nothing changes.
"""

import re

import pytest

from marketplace.models import ROLES
from tests.snapshots import database_fingerprint

PUBLIC_BLUEPRINTS = {
    "main",
    "auth",
    "search",
    "listings",
    "api",
    "bootstrap",
    "bookings",
    "county_map",
    "wishes",
    "hotline",
    "calendar",  # a private feed found by its token alone (a wrong or revoked one is 404)
    "attachments",  # each file follows its record's own policy (a public wish's photo too)
    "disclosure",
}


def _allowed_roles(app, blueprint: str) -> frozenset[str] | None:
    for function in app.before_request_funcs.get(blueprint, []):
        roles = getattr(function, "allowed_roles", None)
        if roles is not None:
            return roles
    return None


def _guarded_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.rpartition(".")[0]
        roles = _allowed_roles(app, blueprint)
        if roles is None:
            assert blueprint in PUBLIC_BLUEPRINTS, f"{rule.rule}: no role guard on {blueprint!r}"
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield path, method, roles


def test_every_blueprint_is_guarded_or_public(app):
    rules = list(_guarded_rules(app))
    guarded = {path for path, _, _ in rules}
    assert {"/community/", "/unit/", "/review/", "/admin/"} <= guarded


def test_anonymous_is_sent_to_login_everywhere_guarded(app, client):
    for path, method, _ in _guarded_rules(app):
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path, response.status_code)
        assert "/login" in response.headers["Location"], (method, path)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_wrong_role_gets_403_everywhere_guarded(app, client, login_as, role):
    login_as(role)
    before = database_fingerprint()
    refused = 0
    for path, method, roles in _guarded_rules(app):
        if role in roles:
            continue
        response = client.open(path, method=method, data={"status": "published"})
        assert response.status_code == 403, (role, method, path, response.status_code)
        assert "权限" in response.get_data(as_text=True) or "无权" in response.get_data(
            as_text=True
        )
        refused += 1
    assert refused > 0
    assert database_fingerprint() == before
