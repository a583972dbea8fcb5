"""Response headers, password hashing and the password policy."""

import re
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


def init_security(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["PRODUCTION"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["ARGON2_PARAMS"])


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id at the configured (OWASP) cost."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check ``password`` against a stored argon2 hash without raising."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_verification_time() -> None:
    """Spend as long as a real verification, so unknown usernames are not revealed."""
    verify_password(dummy_hash(), "not-the-password")


def dummy_hash() -> str:
    """Return a hash made at the configured cost (argon2's default cost is another one)."""
    params = current_app.config["ARGON2_PARAMS"]
    return _dummy_hash_at(tuple(sorted(params.items())))


@cache
def _dummy_hash_at(params: tuple) -> str:
    return PasswordHasher(**dict(params)).hash("dummy-password-for-timing")


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of passwords too common to allow."""
    text = resources.files("marketplace.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str, username: str = "") -> str | None:
    """Return why ``password`` is not acceptable (Chinese), or None when it is."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"密码至少需要 {PASSWORD_MIN_LENGTH} 个字符。"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"密码不能超过 {PASSWORD_MAX_LENGTH} 个字符。"
    lowered = password.lower()
    if lowered in common_passwords() or _stem(lowered) in common_passwords():
        return "这个密码太常见，很容易被猜到，请换一个。"
    if username and lowered == username.lower():
        return "密码不能与用户名相同。"
    if username and len(username) >= 3 and username.lower() in lowered:
        return "密码不能包含用户名。"
    if _is_keyboard_walk(lowered):
        return "密码是键盘或字母表上的连续按键，很容易被猜到，请换一个。"
    if len(set(password)) < 3:
        return "密码过于简单，请混合使用不同的字符。"
    return None


KEYBOARD_RUNS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz", "1234567890")


def _stem(lowered: str) -> str:
    """Return a password without the digits and symbols people tack on (``password1!``)."""
    return re.sub(r"[^a-z]+$", "", re.sub(r"^[^a-z]+", "", lowered))


def _is_keyboard_walk(lowered: str) -> bool:
    """Tell whether the letters (or digits) of a password are one run of adjacent keys."""
    for kept in (re.sub(r"[^a-z]", "", lowered), re.sub(r"[^0-9]", "", lowered)):
        rest = len(lowered) - len(kept)
        if len(kept) >= 4 and rest <= 4:
            for run in KEYBOARD_RUNS:
                if kept in run or kept in run[::-1]:
                    return True
    return False
