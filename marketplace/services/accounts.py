"""Accounts: log in, log out, change password, create users, issue API tokens."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from marketplace.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from marketplace.extensions import db
from marketplace.models import ROLES, ApiToken, Community, LoginFailure, Unit, User
from marketplace.models._common import utcnow
from marketplace.models.accounts import new_session_token
from marketplace.security import (
    burn_verification_time,
    hash_password,
    password_problem,
    verify_password,
)
from marketplace.services import audit

BAD_CREDENTIALS = "用户名或密码不正确。"
ACCOUNT_DISABLED = "该账号已停用，请联系系统管理员。"
ADDRESS_FAILURE_FACTOR = 4  # one address may fail for several accounts before it is slowed


def _recent_failures(column, value, window_start) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(column == value, LoginFailure.at >= window_start)
    )


def normalise_username(username: str | None) -> str:
    """Return the one spelling a username is stored and looked up by (UNIT01 = unit01)."""
    return (username or "").strip().lower()


def find_user(username: str | None) -> User | None:
    """Return the account named ``username`` whatever its letter case, or None."""
    name = normalise_username(username)
    return db.session.scalar(select(User).where(func.lower(User.username) == name))


def authenticate(username: str, password: str, address: str) -> User:
    """Return the user for these credentials, or refuse (throttled after repeated failures)."""
    username = normalise_username(username)
    limit, window = current_app.config["LOGIN_RATE_LIMIT"]
    window_start = utcnow() - timedelta(seconds=window)
    if (
        _recent_failures(LoginFailure.username, username, window_start) >= limit
        or _recent_failures(LoginFailure.address, address, window_start)
        >= limit * ADDRESS_FAILURE_FACTOR
    ):
        audit.record("login.throttled", username=username, detail="too many failures")
        db.session.commit()
        raise TooManyRequests("登录失败次数过多，请 15 分钟后再试。")

    user = find_user(username)
    if user is None:
        burn_verification_time()
    if user is None or not verify_password(user.password_hash, password):
        db.session.add(LoginFailure(username=username[:40], address=address))
        audit.record("login.failed", username=username, detail="bad credentials")
        db.session.commit()
        raise NotAuthenticated(BAD_CREDENTIALS)
    if not user.active:  # said only after the right password, so it reveals nothing new
        audit.record("login.refused", actor=user, obj=user, detail="account disabled")
        db.session.commit()
        raise Forbidden(ACCOUNT_DISABLED)

    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
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
    if not verify_password(user.password_hash, current_password):
        audit.record("password.change_refused", actor=user, obj=user, detail="wrong current")
        db.session.commit()
        raise InvalidInput("当前密码不正确。", field="current_password")
    problem = password_problem(new_password, user.username)
    if problem:
        raise InvalidInput(problem, field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()
    audit.record("password.changed", actor=user, obj=user)
    db.session.commit()


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    community: Community | None = None,
    unit: Unit | None = None,
    display_name: str = "",
    phone: str = "",
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    """Create an account bound to its community or unit as its role requires."""
    username = normalise_username(username)
    if not username or len(username) > 40:
        raise InvalidInput("用户名不能为空，且不超过 40 个字符。", field="username")
    if role not in ROLES:
        raise InvalidInput(f"未知角色：{role}", field="role")
    if role == "community" and community is None:
        raise InvalidInput("社区工作人员必须绑定一个社区。", field="community")
    if role == "unit" and unit is None:
        raise InvalidInput("单位党组织书记必须绑定一个单位。", field="unit")
    if check_password and (problem := password_problem(password, username)):
        raise InvalidInput(problem, field="password")
    if find_user(username) is not None:
        raise InvalidInput(f"用户名 {username} 已存在。", field="username")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        community=community if role == "community" else None,
        unit=unit if role == "unit" else None,
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
    if actor.role != "admin":
        raise Forbidden("只有系统管理员可以停用或启用账号。")
    before = {"active": user.active}
    user.active = active
    if not active:
        user.session_token = new_session_token()
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
    if actor.role != "admin":
        raise Forbidden("只有系统管理员可以创建账号。")
    community = (
        _pick(Community, data.get("community_id")) if data.get("role") == "community" else None
    )
    unit = _pick(Unit, data.get("unit_id")) if data.get("role") == "unit" else None
    return create_user(
        str(data.get("username") or ""),
        str(data.get("password") or ""),
        str(data.get("role") or ""),
        community=community,
        unit=unit,
        display_name=str(data.get("display_name") or "")[:40],
        phone=str(data.get("phone") or "")[:30],
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
    if user.id == actor.id and not active:
        raise InvalidInput("不能停用自己的账号。")
    set_active(user, active, actor)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, label: str = "") -> str:
    """Create a personal API token and return it; only its digest is stored."""
    token = "mp_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_digest=_digest(token), label=label[:60]))
    audit.record("api_token.issued", actor=user, obj=user, detail=label[:100])
    db.session.commit()
    return token


def user_for_api_token(token: str) -> User | None:
    """Return the active user owning ``token``, or None."""
    if not token:
        return None
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_digest == _digest(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None or not api_token.user.active:
        return None
    return api_token.user
