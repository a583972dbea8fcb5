"""Logins by role; sessions die with logout, password change, disable; redirects stay home."""

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from marketplace.config import ARGON2_PARAMS
from marketplace.models import AuditEntry, User
from marketplace.services import accounts
from tests.factories import PASSWORD, make_user


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_lands_on_role_home_and_logout_ends_it(app, client, auth):
    user = make_user("community")
    response = auth.login(user.username, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/community/")
    assert client.get("/community/").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/community/").status_code == 302


def test_wrong_password_does_not_say_which_part_was_wrong(app, auth):
    user = make_user("unit")
    wrong_password = auth.login(user.username, "not-the-password")
    unknown_user = auth.login("nobody-here", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    for response in (wrong_password, unknown_user):
        assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_disabled_account_cannot_log_in_and_is_told_so_only_after_the_right_password(app, auth):
    user = make_user("reviewer", active=False)
    right = auth.login(user.username, PASSWORD)
    assert right.status_code == 403
    assert "该账号已停用" in right.get_data(as_text=True)
    wrong = auth.login(user.username, "not-the-password")
    assert wrong.status_code == 401
    assert "已停用" not in wrong.get_data(as_text=True)


def test_usernames_ignore_letter_case(app, auth):
    from marketplace.errors import InvalidInput
    from marketplace.services import accounts

    make_user("unit", username="unit77")
    assert auth.login("UNIT77", PASSWORD).status_code == 302
    with pytest.raises(InvalidInput, match="已存在"):
        accounts.create_user("Unit77", PASSWORD + "x", "reviewer")
    assert accounts.create_user("NewName", PASSWORD + "x", "reviewer").username == "newname"


def test_logout_is_post_only(app, client, auth):
    make_user("reviewer", username="rev")
    auth.login("rev", PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.get("/review/").status_code == 200


def test_new_session_at_login_planted_cookie_does_not_authenticate(app, client, auth):
    """A session cookie obtained before login is not the one that authenticates."""
    user = make_user("reviewer")
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "attacker-chosen"
    planted = _session_cookie(client)
    auth.login(user.username, PASSWORD)
    assert _session_cookie(client) != planted
    with client.session_transaction() as session:
        assert "planted" not in session
    victim_view = app.test_client()
    victim_view.set_cookie("session", planted)
    assert victim_view.get("/review/").status_code == 302


@pytest.mark.parametrize("ending", ["logout", "password", "disable"])
def test_captured_cookies_die(app, db, client, auth, ending):
    """A copied session or remember cookie is dead after logout, password change, disable."""
    user = make_user("reviewer")
    auth.login(user.username, PASSWORD, remember="y")
    stolen_session = _session_cookie(client)
    stolen_remember = client.get_cookie("remember_token").value
    thief = app.test_client()
    thief.set_cookie("session", stolen_session)
    assert thief.get("/review/").status_code == 200

    if ending == "logout":
        auth.logout()
    elif ending == "password":
        response = client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "a-brand-new-pass-9",
                "confirm": "a-brand-new-pass-9",
            },
        )
        assert response.status_code == 302
    else:
        admin = make_user("admin")
        accounts.set_active(db.session.get(User, user.id), False, admin)

    for cookies in ({"session": stolen_session}, {"remember_token": stolen_remember}):
        replay = app.test_client()
        for name, value in cookies.items():
            replay.set_cookie(name, value)
        assert replay.get("/review/").status_code == 302, (ending, cookies.keys())


def test_password_change_keeps_own_session(app, client, auth):
    user = make_user("unit")
    auth.login(user.username, PASSWORD)
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another-good-pass-7",
            "confirm": "another-good-pass-7",
        },
    )
    assert client.get("/unit/").status_code == 200


def test_password_change_needs_current_password(app, db, client, auth):
    """Changing the password needs the current one."""
    user = make_user("unit")
    auth.login(user.username, PASSWORD)
    old_hash = user.password_hash
    response = client.post(
        "/account/password",
        data={
            "current_password": "wrong-current-pass",
            "new_password": "another-good-pass-7",
            "confirm": "another-good-pass-7",
        },
    )
    assert response.status_code == 200
    assert "当前密码不正确" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short7!", "至少需要 8 个字符"),
        ("password123", "太常见"),
        ("12345678", "太常见"),
        ("aaaaaaaaaaaa", "过于简单"),
        ("qwertyuiop1", "键盘|常见"),
        ("1qwertyuiop!", "键盘|常见"),
        ("poiuytrewq7", "键盘"),
        ("rtyuiop12", "键盘"),
        ("87654321", "键盘|常见"),
        ("Password2024!", "常见"),
        ("policy-user-2024", "包含用户名"),
        ("x" * 129, "不能超过"),
    ],
)
def test_password_policy_refuses(app, password, problem):
    """Passwords under 8 characters and common ones are refused."""
    from marketplace.errors import InvalidInput

    with pytest.raises(InvalidInput, match=problem):
        accounts.create_user("policy-user", password, "reviewer")


def test_password_policy_accepts_long_passphrases(app):
    """A 64-character password is accepted."""
    passphrase = "春眠不觉晓处处闻啼鸟" + "correct horse battery staple " * 2
    passphrase = (passphrase * 2)[:64]
    assert len(passphrase) == 64
    user = accounts.create_user("long-pass-user", passphrase, "reviewer")
    assert accounts.authenticate("long-pass-user", passphrase, "127.0.0.1").id == user.id


def test_stored_hashes_are_argon2id_at_owasp_cost(app):
    """Hashes are argon2id at OWASP cost: m ≥ 19 MiB, t ≥ 2, p = 1."""
    user = make_user("reviewer")
    assert user.password_hash.startswith("$argon2id$")
    params = re.search(r"m=(\d+),t=(\d+),p=(\d+)", user.password_hash).groups()
    memory, time_cost, parallelism = map(int, params)
    assert memory >= 19 * 1024 and time_cost >= 2 and parallelism == 1
    assert ARGON2_PARAMS == {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
    assert not PasswordHasher(**ARGON2_PARAMS).check_needs_rehash(user.password_hash)


def test_repeated_bad_logins_are_throttled_and_logged(app, db, auth):
    """Bad logins per account: 429 after the limit, even with the right password; logged."""
    user = make_user("reviewer")
    limit, _window = app.config["LOGIN_RATE_LIMIT"]
    for _ in range(limit):
        assert auth.login(user.username, "wrong-password-x").status_code == 401
    assert auth.login(user.username, PASSWORD).status_code == 429
    failures = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login.failed")
    )
    assert failures == limit
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "login.throttled")
        )
        == 1
    )
    # the audit log never holds the password
    details = " ".join(db.session.scalars(select(AuditEntry.detail)))
    assert "wrong-password-x" not in details


def test_throttle_per_address_across_accounts(app, auth):
    limit, _window = app.config["LOGIN_RATE_LIMIT"]
    for attempt in range(limit * 4):
        auth.login(f"spray-{attempt}", "wrong-password-x")
    user = make_user("reviewer")
    assert auth.login(user.username, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/review/", "/review/"),
        ("https://evil.example/", "/review/"),
        ("//evil.example/", "/review/"),
        ("/\\evil.example", "/review/"),
        ("javascript:alert(1)", "/review/"),
    ],
)
def test_next_redirect_stays_on_site(app, client, target, expected):
    """``?next=`` redirects stay on the site."""
    user = make_user("reviewer")
    response = client.post(
        f"/login?next={target}", data={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next(app, client):
    response = client.get("/community/")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("community", "/community/"),
        ("unit", "/unit/"),
        ("reviewer", "/review/"),
        ("admin", "/admin/"),
    ],
)
def test_each_role_reaches_its_home_and_is_refused_the_others(app, client, login_as, role, allowed):
    login_as(role)
    for home in ("/community/", "/unit/", "/review/", "/admin/"):
        response = client.get(home)
        if home == allowed:
            assert response.status_code == 200
        else:
            assert response.status_code == 403
            assert "无权" in response.get_data(as_text=True)


def test_refusals_are_audited(app, db, client, login_as):
    login_as("unit")
    client.get("/admin/")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "access.refused"))
    assert entry is not None and "/admin/" in entry.detail
