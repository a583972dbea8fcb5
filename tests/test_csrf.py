"""Every state-changing page route refuses a request without a CSRF token."""

import pytest

from tests.factories import PASSWORD, make_user


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _page_write_rules(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"GET", "HEAD", "OPTIONS"}
        if methods and not rule.rule.startswith("/api/"):
            yield rule, methods


def _fill(rule) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
        path = path.replace(f"<string:{argument}>", "x")
    return path


def test_every_page_write_route_refuses_missing_csrf(app, client):
    admin = make_user("admin")
    client.get("/login")
    with client.session_transaction() as session:
        session.clear()
    rules = list(_page_write_rules(app))
    assert any(rule.rule == "/login" for rule, _ in rules)
    # log in properly (with the token) so authentication is not why a request is refused
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post(
            "/login", data={"username": admin.username, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    for rule, methods in rules:
        for method in methods:
            response = client.open(_fill(rule), method=method, data={"x": "1"})
            assert response.status_code == 400, (rule.rule, method, response.status_code)
            assert "CSRF" in response.get_data(as_text=True)


def test_login_without_token_is_refused(app, client):
    user = make_user("reviewer")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/review/").status_code == 302
