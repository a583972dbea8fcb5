"""Who may act: roles, ownership and id bounds, written once for every service.

``require_role`` is the check a service starts with; the blueprint-wide page guard is
``marketplace.auth.page_guard`` (it sends anonymous visitors to the login page instead).
Ownership reads the owning community or unit off the record, so "is this need mine?"
has one answer for the edit form, the service and the API.
"""

from marketplace.errors import Forbidden, InvalidInput
from marketplace.models import ROLES, Booking, Claim, Need, Offer, User

# Refusals name the role as its holders call themselves; a unit acts as its secretary.
ROLE_NAMES = {**ROLES, "unit": "驻区单位"}
MAX_ID = 2**31 - 1  # ids are INTEGER columns; larger numbers would crash the query

# record type -> (owning role, owner id of the record, the refusal)
_OWNERS = {
    Need: ("community", lambda need: need.community_id, "只能管理本社区的需求。"),
    Offer: ("unit", lambda offer: offer.unit_id, "只能管理本单位的资源。"),
    Claim: ("unit", lambda claim: claim.unit_id, "只能处理本单位的认领。"),
    Booking: ("unit", lambda booking: booking.offer.unit_id, "只有场地所属单位可以处理预约。"),
}


def valid_id(value) -> bool:
    """Tell whether ``value`` can be a row id (so looking it up cannot overflow)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def signed_in(user: User | None) -> bool:
    """Tell whether ``user`` is a signed-in account (not None, not anonymous)."""
    return user is not None and getattr(user, "is_authenticated", False)


def has_role(user: User | None, *roles: str) -> bool:
    """Tell whether ``user`` is signed in with one of ``roles``."""
    return signed_in(user) and user.role in roles


def require_role(actor: User | None, *roles: str) -> User:
    """Refuse anyone who is not signed in with one of ``roles``."""
    if not signed_in(actor):
        raise Forbidden("请先登录。")
    if actor.role not in roles:
        names = "或".join(ROLE_NAMES.get(role, role) for role in roles)
        raise Forbidden(f"只有{names}可以执行此操作。")
    return actor


def require_admin(actor: User | None) -> User:
    """Refuse anyone who is not a system administrator."""
    return require_role(actor, "admin")


def owns(user: User | None, record) -> bool:
    """Tell whether ``user``'s community or unit owns ``record`` (need, offer, claim, booking)."""
    role, owner_of, _ = _OWNERS[type(record)]
    if not has_role(user, role):
        return False
    own_id = user.community_id if role == "community" else user.unit_id
    return own_id is not None and own_id == owner_of(record)


def require_owner(actor: User | None, record, message: str | None = None):
    """Return ``record`` when ``actor`` owns it; refuse (403) otherwise."""
    role, _, refusal = _OWNERS[type(record)]
    require_role(actor, role)
    if not owns(actor, record):
        raise Forbidden(message or refusal)
    return record


def is_claim_party(user: User | None, claim: Claim) -> bool:
    """Tell whether ``user`` is the claiming unit or the community of the claimed need."""
    return owns(user, claim) or owns(user, claim.need)


def check_ids(filters, *names: str) -> None:
    """Refuse filter values that cannot be ids (0 and None mean "any")."""
    for name in names:
        value = getattr(filters, name)
        if value and not valid_id(value):
            raise InvalidInput("筛选条件无效。", field=name)


# --- Evidence attachments: who sees a record's files and who adds to them -------------
# (services/attachments/policies.py maps each record kind onto these.)


def oversees_community(user: User | None, community) -> bool:
    """Tell whether ``user`` oversees ``community``: a reviewer, or its township's staff."""
    if has_role(user, "reviewer"):
        return True
    return (
        has_role(user, "township")
        and user.township_id is not None
        and community.township_id == user.township_id
    )


def is_community_staff(user: User | None, community_id: int | None) -> bool:
    """Tell whether ``user`` is staff of the community ``community_id``."""
    return (
        has_role(user, "community")
        and user.community_id is not None
        and user.community_id == community_id
    )


def is_pair_side(user: User | None, activity) -> bool:
    """Tell whether ``user`` is the unit or the community of a pair activity."""
    if has_role(user, "unit"):
        return user.unit_id is not None and user.unit_id == activity.unit_id
    return is_community_staff(user, activity.community_id)


def is_wish_party(user: User | None, wish) -> bool:
    """Tell whether ``user`` is the wish's community staff or its claimer (person or unit)."""
    if is_community_staff(user, wish.community_id):
        return True
    if not signed_in(user):
        return False
    if wish.claimer_user_id is not None and wish.claimer_user_id == user.id:
        return True
    unit_id = wish.claimer_unit_id
    return has_role(user, "unit") and unit_id is not None and user.unit_id == unit_id
