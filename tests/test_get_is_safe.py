"""No GET request changes data, whoever asks (checked over every GET route)."""

import re

import pytest

from tests.snapshots import database_fingerprint


def _get_paths(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or "static" in rule.rule:
            continue
        # every argument gets "1": an id that exists in the demo county, or a harmless word
        yield re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)


@pytest.mark.parametrize("username", [None, "community01", "unit01", "reviewer", "admin"])
def test_no_get_route_changes_data(demo_app, demo_client, demo_auth, username):
    if username:
        assert demo_auth.login(username).status_code == 302
    before = database_fingerprint()
    statuses = {}
    for path in _get_paths(demo_app):
        response = demo_client.get(path)
        statuses[path] = response.status_code
        assert response.status_code < 500, (path, response.status_code)
    assert database_fingerprint() == before, statuses
