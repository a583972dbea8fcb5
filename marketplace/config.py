"""Configuration read from the environment, with safe defaults for development."""

import math
import os
import secrets
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from marketplace.clock import DEFAULT_TIMEZONE, load_zone

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# A checkout keeps its instance folder beside the code; an installed wheel, under its
# environment (site-packages is no place for a database). INSTANCE_DIR overrides both.
_DEFAULT_INSTANCE = (
    PROJECT_ROOT / "instance"
    if (PROJECT_ROOT / "pyproject.toml").is_file()
    else Path(sys.prefix) / "var" / "marketplace-instance"
)
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", _DEFAULT_INSTANCE))


def resource_folder(name: str) -> Path:
    """Return ``templates`` or ``static``: the installed package's copy, else the checkout's."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PROJECT_ROOT / name


# A new pairing plan drops at most a quarter of the published pairs unless lifted.
DEFAULT_MAX_CHANGE_SHARE = 0.25

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


ENVIRONMENTS = {"development": "development", "dev": "development",
                "production": "production", "prod": "production"}  # fmt: skip
MIN_KEY_BITS = 90  # a random 32-character hex key measures 95-120 bits this way


def environment_name(raw: str | None) -> str:
    """Return ``development`` or ``production`` for MARKETPLACE_ENV (any case); refuse typos."""
    name = (raw or "development").strip().lower()
    if name not in ENVIRONMENTS:
        raise ConfigError(
            f"MARKETPLACE_ENV 的值 {raw!r} 无效：请设为 production（生产）或 development（开发）。"
        )
    return ENVIRONMENTS[name]


def key_strength_bits(key: str) -> float:
    """Estimate a key's entropy: its length times the Shannon entropy of its characters."""
    counts = Counter(key)
    per_character = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_character * len(key)


def weak_secret_key(key: str) -> bool:
    """Tell whether ``key`` is too short or too regular to sign production sessions."""
    if len(key) < 32 or len(set(key)) < 10:
        return True
    half = len(key) // 2
    if key[:half] == key[half : 2 * half]:
        return True  # a repeated pattern ("abcdabcd…")
    return key_strength_bits(key) < MIN_KEY_BITS


def trusted_proxy_count() -> int:
    """Return MARKETPLACE_TRUSTED_PROXIES: how many proxies in front set X-Forwarded-For."""
    raw = os.environ.get("MARKETPLACE_TRUSTED_PROXIES", "0").strip() or "0"
    if not raw.isdigit() or int(raw) > 5:
        raise ConfigError("MARKETPLACE_TRUSTED_PROXIES 应为 0 到 5 之间的整数（反向代理的层数）。")
    return int(raw)


def notify_settings() -> dict:
    """Return the outside-channel settings (SMTP, SMS gateway, worker) from the environment."""
    env = os.environ.get
    return {
        "SMTP_HOST": env("SMTP_HOST", ""),
        "SMTP_PORT": int(env("SMTP_PORT", "587") or "587"),
        "SMTP_USER": env("SMTP_USER", ""),
        "SMTP_PASSWORD": env("SMTP_PASSWORD", ""),
        "SMTP_FROM": env("SMTP_FROM", ""),
        "SMTP_STARTTLS": env("SMTP_STARTTLS", "1").strip() not in ("0", "", "false", "no"),
        "SMS_GATEWAY_URL": env("SMS_GATEWAY_URL", ""),
        "SMS_GATEWAY_METHOD": env("SMS_GATEWAY_METHOD", "POST").upper(),
        "SMS_GATEWAY_BODY": env("SMS_GATEWAY_BODY", '{"phone": "{phone}", "text": "{text}"}'),
        "SMS_GATEWAY_OK": env("SMS_GATEWAY_OK", ""),
        "SMS_SIGNATURE": env("SMS_SIGNATURE", "【社区共建】"),
        # group robots (企业微信 / 钉钉) are set per community and township in the app;
        # NOTIFY_WEBHOOKS=0 turns them all off
        "NOTIFY_WEBHOOKS": env("NOTIFY_WEBHOOKS", "1").strip() not in ("0", "false", "no"),
        # thread: a background thread in each web process | off: `flask notify worker`
        # or `flask jobs run` delivers
        "NOTIFY_WORKER": env("NOTIFY_WORKER", "thread"),
        "NOTIFY_INTERVAL": float(env("NOTIFY_INTERVAL", "10")),
        "NOTIFY_MAX_ATTEMPTS": int(env("NOTIFY_MAX_ATTEMPTS", "6")),
        "NOTIFY_BACKOFF_SECONDS": float(env("NOTIFY_BACKOFF_SECONDS", "60")),
        "NOTIFY_TIMEOUT_SECONDS": float(env("NOTIFY_TIMEOUT_SECONDS", "10")),
    }


EVIDENCE_KINDS = ("pair_activity", "meeting", "claim", "service_record", "wish", "ticket")


def evidence_required_kinds() -> tuple[str, ...]:
    """Return EVIDENCE_REQUIRED: the record kinds that need an attachment to be confirmed."""
    raw = os.environ.get("EVIDENCE_REQUIRED", "pair_activity")
    kinds = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [kind for kind in kinds if kind not in EVIDENCE_KINDS]
    if unknown:
        choices = ", ".join(EVIDENCE_KINDS)
        raise ConfigError(
            f"EVIDENCE_REQUIRED 含未知的记录类型 {', '.join(unknown)}：可选 {choices}。"
        )
    return kinds


def build_config(overrides: dict | None = None) -> dict:
    """Assemble the app configuration from the environment and ``overrides``."""
    overrides = dict(overrides or {})
    env = environment_name(overrides.pop("ENV", os.environ.get("MARKETPLACE_ENV")))
    production = env == "production"
    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("生产环境必须设置 SECRET_KEY 环境变量（至少 32 个字符的随机串）。")
        secret = _development_secret_key()
    elif production and weak_secret_key(secret):
        raise ConfigError(
            "SECRET_KEY 太弱：生产环境请使用随机生成的密钥，例如 "
            "python -c 'import secrets; print(secrets.token_hex(32))' 的输出。"
        )

    config = {
        "ENV_NAME": env,
        "PRODUCTION": production,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url_from_env(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index")),
        # thread | off (a `flask search worker` applies updates) | inline (tests)
        "SEARCH_INDEXER": os.environ.get("SEARCH_INDEXER", "thread"),
        "SEARCH_DRAIN_INTERVAL": float(os.environ.get("SEARCH_DRAIN_INTERVAL", "1.0")),
        "SEARCH_SYNONYMS_FILE": os.environ.get(
            "SEARCH_SYNONYMS_FILE", str(INSTANCE_DIR / "search_synonyms.txt")
        ),
        # this machine's index copy in the change log (default: host name and index folder)
        "SEARCH_REPLICA_NAME": os.environ.get("SEARCH_REPLICA_NAME", ""),
        "SEARCH_LOG_GAP_TIMEOUT": float(os.environ.get("SEARCH_LOG_GAP_TIMEOUT", "120")),
        "SEARCH_LOG_MAX_AGE": float(os.environ.get("SEARCH_LOG_MAX_AGE", "7")),  # days
        # listings a search request may index itself (a few seconds)
        "SEARCH_INLINE_REBUILD_LIMIT": int(os.environ.get("SEARCH_INLINE_REBUILD_LIMIT", "5000")),
        # how long a SQLite writer waits for the database lock, in milliseconds
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "30000")),
        # ledger workbook imports: rows per file and bytes once unzipped
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", "5000")),
        "IMPORT_MAX_UNPACKED_BYTES": int(
            os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(20 * 1024 * 1024))
        ),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # the attachment upload routes allow more
        # Attachments: where their bytes live (a folder; or "module:Class", a store with the
        # same interface, for several app servers), the largest file, and the record kinds
        # whose confirmation needs at least one attachment.
        "ATTACHMENT_DIR": os.environ.get("ATTACHMENT_DIR", str(INSTANCE_DIR / "attachments")),
        "ATTACHMENT_STORAGE": os.environ.get("ATTACHMENT_STORAGE", ""),
        "ATTACHMENT_MAX_BYTES": int(float(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1024 * 1024),
        "EVIDENCE_REQUIRED": evidence_required_kinds(),
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
        "LOGIN_BACKOFF": (30, 15 * 60),  # then wait 30 s, doubling, at most 15 minutes
        "API_TOKEN_DAYS": int(os.environ.get("API_TOKEN_DAYS", "90")),  # 0: never expire
        "TRUSTED_PROXIES": trusted_proxy_count(),  # ProxyFix: proxies that set X-Forwarded-*
        "SLOW_REQUEST_SECONDS": float(os.environ.get("SLOW_REQUEST_SECONDS", "2")),
        "PAGE_SIZE": 20,
        # The county's clock (marketplace/clock.py): every "today" and deadline uses it.
        "COUNTY_TIMEZONE": os.environ.get("COUNTY_TIMEZONE", DEFAULT_TIMEZONE),
        # Pairing at city/province scale: each unit's nearest communities as candidates
        # (0: every community of the county) and the optimizer's memory budget.
        "PAIRING_NEAREST_COMMUNITIES": int(os.environ.get("PAIRING_NEAREST_COMMUNITIES", "0")),
        "PAIRING_MEMORY_BUDGET_MB": int(os.environ.get("PAIRING_MEMORY_BUDGET_MB", "1024")),
        # At most this share of the published plan's pairs a new plan may drop, unless a
        # reviewer lifts the cap with a reason (0–1).
        "PAIRING_MAX_CHANGE_SHARE": float(
            os.environ.get("PAIRING_MAX_CHANGE_SHARE", str(DEFAULT_MAX_CHANGE_SHARE))
        ),
        "WISH_VALUE_CAP_YUAN": int(os.environ.get("WISH_VALUE_CAP_YUAN", "300")),
        # Members' points follow the work: a confirmed service or check-in earns this many
        # points per confirmed hour (rounded half up), whatever the number of records.
        "POINTS_PER_HOUR": int(os.environ.get("POINTS_PER_HOUR", "10")),
        "HOTLINE_TIME_LIMITS": {
            urgency: {
                "dispatch_minutes": int(
                    os.environ.get(f"HOTLINE_{urgency.upper()}_DISPATCH_MINUTES", m)
                ),
                "serve_hours": int(os.environ.get(f"HOTLINE_{urgency.upper()}_SERVE_HOURS", h)),
            }
            for urgency, m, h in (("urgent", "30", "24"), ("normal", "240", "72"))
        },
        "HOTLINE_ONLINE_PER_HOUR": int(os.environ.get("HOTLINE_ONLINE_PER_HOUR", "5")),
        "HOTLINE_TEAM_OPEN_LIMIT": int(os.environ.get("HOTLINE_TEAM_OPEN_LIMIT", "3")),
        # Oversight: needs unclaimed this many days are suggested for
        # escalation; each level's queue has a time limit in days.
        "ESCALATION_SUGGEST_DAYS": int(os.environ.get("ESCALATION_SUGGEST_DAYS", "30")),
        "ESCALATION_TIME_LIMITS": {"township": 7, "county": 15},
        # Notifications that leave the app: each channel is off until configured.
        **notify_settings(),
        # Funds: a unit's yearly support to its paired community (1 万元 by default), and
        # the spending above which the township must approve before it counts.
        "FUNDS_PLEDGE_YUAN": int(os.environ.get("FUNDS_PLEDGE_YUAN", "10000")),
        "FUNDS_APPROVAL_THRESHOLD_YUAN": int(
            os.environ.get("FUNDS_APPROVAL_THRESHOLD_YUAN", "5000")
        ),
    }
    config.update(overrides)
    if not 0 <= config["PAIRING_MAX_CHANGE_SHARE"] <= 1:
        raise ConfigError("PAIRING_MAX_CHANGE_SHARE 应在 0 到 1 之间（例如 0.25 表示 25%）。")
    try:
        load_zone(config["COUNTY_TIMEZONE"])
    except ValueError as error:
        raise ConfigError(f"COUNTY_TIMEZONE 设置有误：{error}") from None
    return config
