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


# --- Funds and the 大党委 (joint party committee) -------------------------------------
# Who may enter, correct, approve and read funds entries, and manage a committee. A unit
# enters its own pledges and contributions; a community's staff its budget and spending
# and its committee; a township's staff approve its communities' large spending; the
# organization department's reviewers read everything.


def acts_for_unit(user: User | None, unit_id: int | None) -> bool:
    """Tell whether ``user`` is the secretary of unit ``unit_id``."""
    return has_role(user, "unit") and unit_id is not None and user.unit_id == unit_id


def acts_for_community(user: User | None, community_id: int | None) -> bool:
    """Tell whether ``user`` is a staff member of community ``community_id``."""
    return (
        has_role(user, "community")
        and community_id is not None
        and user.community_id == community_id
    )


def oversees_community(user: User | None, community) -> bool:
    """Tell whether ``user`` is a reviewer, or township staff of ``community``'s township."""
    if has_role(user, "reviewer"):
        return True
    return has_role(user, "township") and user.township_id == community.township_id


def can_enter_fund_entry(user: User | None, kind: str, community_id, unit_id) -> bool:
    """Tell whether ``user`` may enter a funds entry of ``kind`` for that community or unit."""
    if kind in ("pledge", "contribution"):
        return acts_for_unit(user, unit_id)
    return acts_for_community(user, community_id)


def can_correct_fund_entry(user: User | None, entry) -> bool:
    """Tell whether ``user`` may reverse ``entry``: whoever may enter its kind for its owner."""
    return can_enter_fund_entry(user, entry.kind, entry.community_id, entry.unit_id)


def can_approve_spending(user: User | None, entry) -> bool:
    """Tell whether ``user`` is township staff of the township ``entry``'s community is in."""
    return has_role(user, "township") and user.township_id == entry.community.township_id


def can_read_fund_entry(user: User | None, entry) -> bool:
    """Tell whether ``user`` may see ``entry``: its unit, its community, or who oversees it."""
    return (
        acts_for_unit(user, entry.unit_id)
        or acts_for_community(user, entry.community_id)
        or oversees_community(user, entry.community)
    )


def can_manage_committee(user: User | None, community_id) -> bool:
    """Tell whether ``user`` may change community ``community_id``'s 大党委 and its members."""
    return acts_for_community(user, community_id)
