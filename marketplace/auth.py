"""Flask-Login wiring and the access decorators shared by every blueprint."""

from functools import wraps

from flask import g, request
from flask_login import LoginManager, current_user
from sqlalchemy import select

from marketplace.errors import Forbidden, NotAuthenticated
from marketplace.extensions import db
from marketplace.models import User


def init_login_manager(login_manager: LoginManager) -> None:
    """Load users by their rotating session token, never by primary key."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        user = db.session.scalar(select(User).where(User.session_token == session_token))
        return user if user is not None and user.active else None


def page_guard(*roles: str):
    """Guard a whole blueprint: anonymous users go to login, other roles get 403.

    Services check roles with ``services.access.require_role``, which raises instead.
    """

    def guard():
        if not current_user.is_authenticated:
            from marketplace.extensions import login_manager

            return login_manager.unauthorized()
        if current_user.role not in roles:
            raise Forbidden("您的角色无权访问此页面。")
        return None

    guard.allowed_roles = frozenset(roles)  # read by the role × route test
    return guard


def api_user() -> User | None:
    """Return the user of the request's Bearer token (cached per request)."""
    if "api_user" not in g:
        from marketplace.services.api_tokens import user_for_api_token

        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        g.api_user = user_for_api_token(token.strip()) if scheme.lower() == "bearer" else None
    return g.api_user


def api_login_required(*roles: str):
    """Require a valid API token (and one of ``roles`` when given) on an API view."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = api_user()
            if user is None:
                raise NotAuthenticated("缺少或无效的 API 令牌（Authorization: Bearer <token>）。")
            if roles and user.role not in roles:
                raise Forbidden("此令牌的角色无权执行该操作。")
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # read by the route tests; empty: any role
        return wrapped

    return decorator
