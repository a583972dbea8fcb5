"""Who may act: the role check every marketplace service starts with."""

from marketplace.errors import Forbidden
from marketplace.models import User

ROLE_NAMES = {"community": "社区工作人员", "unit": "驻区单位"}


def signed_in(user: User | None) -> bool:
    """Tell whether ``user`` is a signed-in account (not None, not anonymous)."""
    return user is not None and getattr(user, "is_authenticated", False)


def require_role(actor: User | None, role: str) -> User:
    """Refuse anyone who is not signed in with ``role``."""
    if not signed_in(actor):
        raise Forbidden("请先登录。")
    if actor.role != role:
        raise Forbidden(f"只有{ROLE_NAMES.get(role, role)}可以执行此操作。")
    return actor
