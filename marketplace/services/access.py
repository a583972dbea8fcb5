"""Who may act: the role check every marketplace service starts with."""

from marketplace.errors import Forbidden, InvalidInput
from marketplace.models import User

ROLE_NAMES = {"community": "社区工作人员", "unit": "驻区单位"}
MAX_ID = 2**31 - 1  # ids are INTEGER columns; larger numbers would crash the query


def valid_id(value) -> bool:
    """Tell whether ``value`` can be a row id (so looking it up cannot overflow)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


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


def check_ids(filters, *names: str) -> None:
    """Refuse filter values that cannot be ids (0 and None mean "any")."""
    for name in names:
        value = getattr(filters, name)
        if value and not valid_id(value):
            raise InvalidInput("筛选条件无效。", field=name)
