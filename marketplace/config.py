"""Configuration read from the environment, with safe defaults for development."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))

# OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1.
ARGON2_PARAMS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def _development_secret_key() -> str:
    """Return the secret key kept under instance/, creating it once."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def database_url_from_env() -> str:
    """Return DATABASE_URL normalised for SQLAlchemy (psycopg 3 for PostgreSQL)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'marketplace.db'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Map postgres:// and postgresql:// to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_config(overrides: dict | None = None) -> dict:
    """Assemble the app configuration from the environment and ``overrides``."""
    overrides = dict(overrides or {})
    env = overrides.pop("ENV", os.environ.get("MARKETPLACE_ENV", "development"))
    production = env == "production"
    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("生产环境必须设置 SECRET_KEY 环境变量（至少 32 个字符的随机串）。")
        secret = _development_secret_key()
    elif production and (len(secret) < 32 or secret in {"dev", "changeme", "secret"}):
        raise ConfigError("SECRET_KEY 太弱：生产环境请使用至少 32 个字符的随机串。")

    config = {
        "ENV_NAME": env,
        "PRODUCTION": production,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url_from_env(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index")),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "REMEMBER_COOKIE_DURATION": timedelta(days=7),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "ARGON2_PARAMS": ARGON2_PARAMS,
        "LOGIN_RATE_LIMIT": (5, 15 * 60),  # failures allowed per window (seconds)
        "PAGE_SIZE": 20,
        # Oversight (DESIGN §13): needs unclaimed this many days are suggested for
        # escalation; each level's queue has a time limit in days.
        "ESCALATION_SUGGEST_DAYS": int(os.environ.get("ESCALATION_SUGGEST_DAYS", "30")),
        "ESCALATION_TIME_LIMITS": {"township": 7, "county": 15},
    }
    config.update(overrides)
    return config
