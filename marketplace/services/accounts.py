"""Accounts: log in, log out, change password, create users, issue API tokens."""

import math

from flask import current_app
from sqlalchemy import func, select

from marketplace.database import reading
from marketplace.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from marketplace.extensions import db
from marketplace.logs import log_event
from marketplace.models import ROLES, Community, Township, Unit, User
from marketplace.models._common import utcnow
from marketplace.models.accounts import new_session_token
from marketplace.security import (
    burn_verification_time,
    hash_password,
    password_problem,
    verify_password,
)
from marketplace.services import api_tokens, audit, throttle
from marketplace.services.access import is_self, require_admin
from marketplace.services.api_tokens import (  # noqa: F401  (part of this module's API)
    issue_api_token,
    user_for_api_token,
)
from marketplace.services.fields import ACCOUNT

BAD_CREDENTIALS = "用户名或密码不正确。"
ACCOUNT_DISABLED = "该账号已停用，请联系系统管理员。"
ADDRESS_FAILURE_FACTOR = 4  # one address may fail for several accounts before it is slowed


def _login_keys(username: str, address: str) -> list[tuple[str, int]]:
    """Return the throttle keys of a login attempt and how many tries each lets through.

    One address guessing one account is slowed first; the account from anywhere and the
    address across accounts get more room, so a guesser elsewhere cannot lock the owner
    out, and one office behind one address is not slowed by a colleague's typos.
    """
    limit, _window = current_app.config["LOGIN_RATE_LIMIT"]
    name = username[:80]
    return [
        (f"login:pair:{name}|{address}", limit),
        (f"login:user:{name}", limit * ADDRESS_FAILURE_FACTOR),
        (f"login:addr:{address}", limit * ADDRESS_FAILURE_FACTOR),
    ]


def _login_wait(keys: list[tuple[str, int]]) -> float:
    """Count this attempt under each key; return the seconds to wait (0: go ahead)."""
    _limit, window = current_app.config["LOGIN_RATE_LIMIT"]
    base, cap = current_app.config["LOGIN_BACKOFF"]
    for key, free in keys:
        wait = throttle.backoff(key, free=free, base=base, cap=cap, window=window)
        if wait:
            return wait
    return 0.0


def normalise_username(username: str | None) -> str:
    """Return the one spelling a username is stored and looked up by (UNIT01 = unit01)."""
    return (username or "").strip().lower()


def find_user(username: str | None) -> User | None:
    """Return the account named ``username`` whatever its letter case, or None."""
    name = normalise_username(username)
    return db.session.scalar(select(User).where(func.lower(User.username) == name))


def authenticate(username: str, password: str, address: str) -> User:
    """Return the user for these credentials, or refuse (slowed down after repeated failures)."""
    username = normalise_username(username)
    keys = _login_keys(username, address)
    wait = _login_wait(keys)
    if wait:
        audit.record("login.throttled", username=username, detail="too many failures")
        db.session.commit()
        log_event("login.throttled", username=username[:40], wait_seconds=round(wait))
        raise TooManyRequests(f"登录失败次数过多，请 {math.ceil(wait)} 秒后再试。")

    with reading():  # argon2 takes tens of milliseconds: never inside SQLite's write lock
        user = find_user(username)
        if user is None:
            burn_verification_time()
        accepted = user is not None and verify_password(user.password_hash, password)
    if not accepted:
        audit.record("login.failed", username=username, detail="bad credentials")
        db.session.commit()
        raise NotAuthenticated(BAD_CREDENTIALS)
    if not user.active:  # said only after the right password, so it reveals nothing new
        audit.record("login.refused", actor=user, obj=user, detail="account disabled")
        db.session.commit()
        raise Forbidden(ACCOUNT_DISABLED)

    for key, _free in keys[:2]:
        throttle.reset(key)
    throttle.forgive(keys[2][0])
    audit.record("login.succeeded", actor=user, obj=user)
    db.session.commit()
    return user


def end_sessions(user: User, reason: str) -> None:
    """Rotate the user's session token so every cookie issued before dies."""
    user.session_token = new_session_token()
    audit.record(f"session.ended.{reason}", actor=user, obj=user)
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; ends all other sessions."""
    with reading():  # hash outside SQLite's write lock
        current_ok = verify_password(user.password_hash, current_password)
        problem = password_problem(new_password, user.username)
        new_hash = hash_password(new_password) if current_ok and not problem else None
    if not current_ok:
        audit.record("password.change_refused", actor=user, obj=user, detail="wrong current")
        db.session.commit()
        raise InvalidInput("当前密码不正确。", field="current_password")
    if problem:
        raise InvalidInput(problem, field="new_password")
    user.password_hash = new_hash
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()
    api_tokens.revoke_all(user, "password changed")
    audit.record("password.changed", actor=user, obj=user)
    db.session.commit()


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    community: Community | None = None,
    unit: Unit | None = None,
    township: Township | None = None,
    display_name: str = "",
    phone: str = "",
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    """Create an account bound to its community, unit or township as its role requires."""
    username = normalise_username(username)
    limit = ACCOUNT["username"].max_length
    if not username or len(username) > limit:
        raise InvalidInput(f"用户名不能为空，且不超过 {limit} 个字符。", field="username")
    if role not in ROLES:
        raise InvalidInput(f"未知角色：{role}", field="role")
    if role == "community" and community is None:
        raise InvalidInput("社区工作人员必须绑定一个社区。", field="community")
    if role == "unit" and unit is None:
        raise InvalidInput("单位党组织书记必须绑定一个单位。", field="unit")
    if role == "township" and township is None:
        raise InvalidInput("乡镇（街道）工作人员必须绑定一个乡镇（街道）。", field="township")
    if check_password and (problem := password_problem(password, username)):
        raise InvalidInput(problem, field="password")
    with reading():  # hash outside SQLite's write lock
        password_hash = hash_password(password)
    if find_user(username) is not None:
        raise InvalidInput(f"用户名 {username} 已存在。", field="username")
    user = User(
        username=username,
        password_hash=password_hash,
        role=role,
        community=community if role == "community" else None,
        unit=unit if role == "unit" else None,
        township=township if role == "township" else None,
        display_name=display_name,
        phone=phone,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, obj=user, after={"username": username, "role": role})
    db.session.commit()
    return user


def set_active(user: User, active: bool, actor: User) -> None:
    """Enable or disable an account (admin only); disabling ends its sessions."""
    require_admin(actor)
    before = {"active": user.active}
    user.active = active
    if not active:
        user.session_token = new_session_token()
        api_tokens.revoke_all(user, "account disabled")
    audit.record(
        "user.disabled" if not active else "user.enabled",
        actor=actor,
        obj=user,
        before=before,
        after={"active": active},
    )
    db.session.commit()


def create_user_by_admin(actor: User, data) -> User:
    """Create an account from the admin page: role, binding and a first password."""
    require_admin(actor)
    community = (
        _pick(Community, data.get("community_id")) if data.get("role") == "community" else None
    )
    unit = _pick(Unit, data.get("unit_id")) if data.get("role") == "unit" else None
    township = _pick(Township, data.get("township_id")) if data.get("role") == "township" else None
    return create_user(
        str(data.get("username") or ""),
        str(data.get("password") or ""),
        str(data.get("role") or ""),
        community=community,
        unit=unit,
        township=township,
        display_name=str(data.get("display_name") or "")[: ACCOUNT["display_name"].max_length],
        phone=str(data.get("phone") or "")[: ACCOUNT["phone"].max_length],
        actor=actor,
    )


def _pick(model, raw):
    try:
        return db.session.get(model, int(raw)) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def set_user_active(actor: User, user_id: int, active: bool) -> User:
    """Enable or disable the account ``user_id`` (admin only, never one's own)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在。")
    if is_self(actor, user.id) and not active:
        raise InvalidInput("不能停用自己的账号。")
    set_active(user, active, actor)
    return user
