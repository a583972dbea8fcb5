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


# --- Oversight: escalations, joint meetings and the hotline --------------------------
# Who may handle an escalation, answer it, host a meeting or finish its action item.
# Reviewers work at the county level, township staff at their township's.

ESCALATION_LEVEL_OF_ROLE = {"township": "township", "reviewer": "county"}


def acts_for_community(user: User | None, community_id: int | None) -> bool:
    """Tell whether ``user`` is staff of the community ``community_id``."""
    return (
        has_role(user, "community")
        and community_id is not None
        and (user.community_id == community_id)
    )


def require_community_staff(actor: User | None, community_id: int | None, message: str) -> User:
    """Refuse anyone who is not staff of the community ``community_id`` (403)."""
    require_role(actor, "community")
    if not acts_for_community(actor, community_id):
        raise Forbidden(message)
    return actor


def handles_escalations(user: User | None, township_id: int | None) -> bool:
    """Tell whether ``user`` coordinates escalations of ``township_id`` (or the county's)."""
    if has_role(user, "reviewer"):
        return True
    return has_role(user, "township") and user.township_id == township_id


def handling_level(user: User | None) -> str | None:
    """Return the escalation level ``user`` works at ("township", "county") or None."""
    return ESCALATION_LEVEL_OF_ROLE.get(user.role) if signed_in(user) else None


def is_assigned_unit(user: User | None, unit_id: int | None) -> bool:
    """Tell whether ``user`` is the secretary of the unit ``unit_id`` work was assigned to."""
    return has_role(user, "unit") and unit_id is not None and user.unit_id == unit_id


def require_assigned_unit(actor: User | None, unit_id: int | None, message: str) -> User:
    """Refuse anyone who is not staff of the unit ``unit_id`` (403)."""
    require_role(actor, "unit")
    if not is_assigned_unit(actor, unit_id):
        raise Forbidden(message)
    return actor


def hosts_meeting(user: User | None, meeting) -> bool:
    """Tell whether ``user`` hosts ``meeting``: its community's, township's or the county's."""
    if meeting.level == "community":
        return acts_for_community(user, meeting.community_id)
    if meeting.level == "township":
        return has_role(user, "township") and user.township_id == meeting.township_id
    return has_role(user, "reviewer")


def may_finish_action_item(user: User | None, item) -> bool:
    """Tell whether ``user`` may mark ``item`` done: its meeting's host or its owner unit."""
    return is_assigned_unit(user, item.owner_unit_id) or hosts_meeting(user, item.meeting)


def may_see_escalation(user: User | None, escalation) -> bool:
    """Tell whether ``user`` may open an escalation: its community, its coordinators at
    the escalation's township or the county, or the unit it is assigned to."""
    return (
        acts_for_community(user, escalation.community_id)
        or handles_escalations(user, escalation.township_id)
        or is_assigned_unit(user, escalation.assigned_unit_id)
    )


def may_escalate(user: User | None) -> bool:
    """Tell whether ``user`` escalates needs and meeting items (community staff)."""
    return has_role(user, "community")


def oversees_needs(user: User | None) -> bool:
    """Tell whether ``user`` follows the needs of an area (all but the units)."""
    return has_role(user, "community", "township", "reviewer")


def is_dispatcher(user: User | None) -> bool:
    """Tell whether ``user`` works the hotline's command centre (registers, dispatches)."""
    return has_role(user, "dispatcher")


def serves_in_teams(user: User | None) -> bool:
    """Tell whether ``user`` may lead a hotline team (community staff, member co-leaders)."""
    return has_role(user, "community", "member")
