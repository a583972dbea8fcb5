"""Security configuration: cookies, headers, body size, production secret."""

import secrets

import pytest

from marketplace import create_app
from marketplace.config import ConfigError


def test_cookie_settings_in_development(app):
    """Cookies: HttpOnly and SameSite=Lax always; remember cookie short-lived."""
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 14


def test_login_sets_httponly_lax_cookie(app, client):
    from tests.factories import PASSWORD, make_user

    user = make_user("reviewer")
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_production_requires_a_real_secret_key(monkeypatch):
    """Production refuses to start without a real SECRET_KEY."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(ConfigError):
        create_app(
            {"ENV": "production", "SECRET_KEY": "changeme", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )


def test_production_cookies_are_secure_and_hsts_is_sent(monkeypatch):
    """Secure cookies and security headers in production."""
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    # no background indexer: this app's in-memory database has no tables for it to read
    app = create_app(
        {"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SEARCH_INDEXER": "off"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_errors_show_a_generic_page(app, client):
    """An unexpected exception shows a generic Chinese page, no traceback."""

    @app.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/__boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统出现错误" in body
    assert "secret internals" not in body and "Traceback" not in body


@pytest.mark.parametrize("path", ["/", "/login", "/healthz", "/api/v1/stats", "/no-such-page"])
def test_security_headers_on_every_response(app, client, path):
    """Security headers on every response."""
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


def test_oversized_bodies_are_refused(app, client):
    """Oversized bodies: 413 with a readable message, for pages and for the API."""
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    page = client.post("/login", data={"username": big, "password": "x"})
    assert page.status_code == 413
    api = client.post("/api/v1/stats", data=big, content_type="application/json")
    assert api.status_code in (405, 413)


def test_unknown_api_path_answers_json(app, client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json and response.json["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/units/99999999999999999999",
        "/bookings/new/2147483648",
        "/api/v1/offers/2147483648/bookings",
    ],
)
def test_ids_beyond_the_integer_range_are_404(app, client, path):
    # such a URL matches no GET rule: 404, or 405 where a POST rule of that shape exists
    assert client.get(path).status_code in (404, 405)


def test_api_answers_utf8_chinese(app, client):
    response = client.get("/api/v1/needs/999999")
    assert response.status_code == 404
    assert "不存在".encode() in response.data  # not \\u4e0d\\u5b58\\u5728


def test_the_dummy_hash_costs_what_a_real_one_costs(app):
    """Regression: unknown users were told apart by argon2's default cost."""
    from argon2 import extract_parameters

    from marketplace.security import dummy_hash, hash_password

    real = extract_parameters(hash_password("a-real-password-1"))
    dummy = extract_parameters(dummy_hash())
    assert dummy == real
    configured = app.config["ARGON2_PARAMS"]
    assert (dummy.time_cost, dummy.memory_cost) == (
        configured["time_cost"],
        configured["memory_cost"],
    )


@pytest.mark.parametrize("name", ["Production", "PRODUCTION", " production ", "prod"])
def test_production_is_recognised_in_any_case(monkeypatch, name):
    """Regression: MARKETPLACE_ENV=Production ran in development mode."""
    monkeypatch.setenv("MARKETPLACE_ENV", name)
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["PRODUCTION"] is True and app.config["SESSION_COOKIE_SECURE"] is True


def test_an_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("MARKETPLACE_ENV", "prodution")
    with pytest.raises(ConfigError, match="MARKETPLACE_ENV"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize(
    "key",
    ["a" * 32, "0123456789abcdef" * 2, "abcabcabcabcabcabcabcabcabcabcabc", "password" * 4],
)
def test_production_refuses_weak_keys(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_accepts_a_generated_key(monkeypatch):
    for key in (secrets.token_hex(16), secrets.token_hex(32), secrets.token_urlsafe(32)):
        monkeypatch.setenv("SECRET_KEY", key)
        assert create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_behind_a_trusted_proxy_each_client_keeps_its_address(app, client, monkeypatch):
    """Regression: behind nginx every user shared one address (and its throttle)."""
    from flask import Flask

    from marketplace.services.audit import client_address

    @app.get("/__address")
    def address():
        return client_address()

    spoof = {"X-Forwarded-For": "203.0.113.9"}
    assert client.get("/__address", headers=spoof).get_data(as_text=True) == "127.0.0.1"
    monkeypatch.setenv("MARKETPLACE_TRUSTED_PROXIES", "1")
    settings = {k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
    proxied = create_app({**settings, "SEARCH_INDEXER": "off"})  # no thread left behind
    assert isinstance(proxied, Flask) and proxied.config["TRUSTED_PROXIES"] == 1
    proxied.add_url_rule("/__address", "address", address)
    seen = {
        proxied.test_client()
        .get("/__address", headers={"X-Forwarded-For": ip})
        .get_data(as_text=True)
        for ip in ("203.0.113.9", "198.51.100.7")
    }
    assert seen == {"203.0.113.9", "198.51.100.7"}
    monkeypatch.setenv("MARKETPLACE_TRUSTED_PROXIES", "many")
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
