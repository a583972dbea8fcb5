"""Who may act and what they may see: every role, ownership and scope rule, written once.

Services, views, the API and templates ask these named policies instead of comparing
roles or ids themselves (the shape of Indico's ``can_access`` / ``can_manage``):

- ``can_…(actor, record)`` answers a question (True/False) for a page or a template;
- ``require_…(actor, record)`` is the same rule for a write: it returns the record, or
  raises ``Forbidden`` with the Chinese refusal;
- ``scope_…(actor)`` says which rows a read may return (``None``: the whole county).

``require_role`` is the check a service starts with; the blueprint-wide page guard is
``marketplace.auth.page_guard`` (it sends anonymous visitors to the login page instead).
Ownership reads the owning community or unit off the record, so "is this need mine?"
has one answer for the edit form, the service and the API.
"""

from sqlalchemy import select

from marketplace.errors import Forbidden, InvalidInput
from marketplace.extensions import db
from marketplace.models import ROLES, Booking, Claim, Community, Need, Offer, User
from marketplace.models.wishes import Wish
from marketplace.services.pairing.plan_history import published_pairs

# Refusals name the role as its holders call themselves; a unit acts as its secretary.
ROLE_NAMES = {**ROLES, "unit": "驻区单位"}
MAX_ID = 2**31 - 1  # ids are INTEGER columns; larger numbers would crash the query
WISH_CLAIMER_ROLES = ("member", "unit")

# record type -> (owning role, owner id of the record, the refusal)
_OWNERS = {
    Need: ("community", lambda need: need.community_id, "只能管理本社区的需求。"),
    Offer: ("unit", lambda offer: offer.unit_id, "只能管理本单位的资源。"),
    Claim: ("unit", lambda claim: claim.unit_id, "只能处理本单位的认领。"),
    Booking: ("unit", lambda booking: booking.offer.unit_id, "只有场地所属单位可以处理预约。"),
    Wish: ("community", lambda wish: wish.community_id, "只能处理本社区的微心愿。"),
}


# -- Places: the actor's own community, unit or township -------------------------------


def is_community_staff(user: User | None, community_id: int | None) -> bool:
    """Tell whether ``user`` is staff of the community ``community_id``."""
    return (
        has_role(user, "community")
        and community_id is not None
        and (user.community_id == community_id)
    )


def is_unit_secretary(user: User | None, unit_id: int | None) -> bool:
    """Tell whether ``user`` acts for the unit ``unit_id``."""
    return has_role(user, "unit") and unit_id is not None and user.unit_id == unit_id


def is_township_staff(user: User | None, township_id: int | None) -> bool:
    """Tell whether ``user`` is staff of the township ``township_id``."""
    return (
        has_role(user, "township") and township_id is not None and (user.township_id == township_id)
    )


def is_self(user: User | None, user_id: int | None) -> bool:
    """Tell whether ``user_id`` is the signed-in ``user``'s own account."""
    return signed_in(user) and user_id is not None and user.id == user_id


# -- Records: may this actor see or manage it? -----------------------------------------


def can_manage(user: User | None, record) -> bool:
    """Tell whether ``user`` manages ``record`` (need, offer, claim, booking, wish)."""
    return owns(user, record)


def require_manage(actor: User | None, record, message: str | None = None):
    """Return ``record`` when ``actor`` manages it; refuse (403) otherwise."""
    return require_owner(actor, record, message)


def can_see_booking(user: User | None, booking: Booking) -> bool:
    """The venue's unit and the account that asked may see a booking."""
    return owns(user, booking) or is_self(user, booking.requester_user_id)


def can_claim_wishes(user: User | None) -> bool:
    """Members and units claim wishes."""
    return has_role(user, *WISH_CLAIMER_ROLES)


def can_post_wishes(user: User | None) -> bool:
    """Community staff post wishes for their residents."""
    return has_role(user, "community")


def is_wish_claimer(user: User | None, wish: Wish) -> bool:
    """Tell whether ``user`` claimed ``wish`` (or acts for the unit that claimed it)."""
    if not can_claim_wishes(user):
        return False
    unit_claim = wish.claimer_kind == "unit" and is_unit_secretary(user, wish.claimer_unit_id)
    return is_self(user, wish.claimer_user_id) or unit_claim


def can_see_resident(user: User | None, wish: Wish) -> bool:
    """Only the wish's community staff see the resident's full name."""
    return owns(user, wish)


def can_import_ledgers(user: User | None) -> bool:
    """Only administrators import ledger workbooks."""
    return has_role(user, "admin")


def can_manage_token(user: User | None, token) -> bool:
    """An API token is revoked by its owner or an administrator."""
    return is_self(user, token.user_id) or has_role(user, "admin")


# -- Scopes: which communities a read covers -------------------------------------------

_COUNTY_ORDER = (Community.township_id, Community.id)


def scope_communities(actor: User | None) -> list[int] | None:
    """Return the community ids ``actor`` oversees: None for the whole county (reviewer)."""
    require_role(actor, "reviewer", "township")
    if has_role(actor, "reviewer"):
        return None
    return list(
        db.session.scalars(
            select(Community.id)
            .where(Community.township_id == actor.township_id)
            .order_by(*_COUNTY_ORDER)
        )
    )


def acting_communities(actor: User) -> list[int]:
    """Return the communities an actor acts for: its own, its unit's pairs, or overseen."""
    if has_role(actor, "community"):
        return [actor.community_id]
    if has_role(actor, "unit"):
        pairs = published_pairs(unit_id=actor.unit_id, with_places=False)
        return sorted({pair.community_id for pair in pairs})
    scope = scope_communities(actor)
    if scope is not None:
        return scope
    return list(db.session.scalars(select(Community.id).order_by(*_COUNTY_ORDER)))


# -- Roles and ids ---------------------------------------------------------------------


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


# --- Pairing plans, pair activities, compliance and the assessment (oversight) ---------
# Plain policies, one question each, so services, views, the API and templates ask the
# same thing instead of comparing roles and ids inline.


def may_review_plans(user: User | None) -> bool:
    """Tell whether ``user`` works on pairing plans (drafts, review, publishing)."""
    return has_role(user, "reviewer")


def may_see_plan(user: User | None, plan) -> bool:
    """Tell whether ``user`` may read ``plan``: reviewers any, others a published one."""
    return may_review_plans(user) or plan.status == "published"


def pair_side(user: User | None) -> str | None:
    """Return the side of a pair ``user`` acts for ("unit", "community"), or None."""
    if has_role(user, "unit") and user.unit_id is not None:
        return "unit"
    if has_role(user, "community") and user.community_id is not None:
        return "community"
    return None


def is_pair_side(user: User | None, unit_id: int, community_id: int) -> bool:
    """Tell whether ``user`` acts for the unit or the community of a pair."""
    side = pair_side(user)
    if side == "unit":
        return user.unit_id == unit_id
    return side == "community" and user.community_id == community_id


def may_confirm_activity(user: User | None, activity) -> bool:
    """Tell whether ``user`` is the pair's other side, who confirms a logged activity."""
    return (
        is_pair_side(user, activity.unit_id, activity.community_id)
        and pair_side(user) == activity.confirming_side
    )


def sees_own_assessment(user: User | None) -> bool:
    """Tell whether ``user`` sees the assessment as a unit (its own score, its ratings)."""
    return has_role(user, "unit")


# --- Members (在职党员): community records seen from staff and from members ------------------
# A record of the members' domain (post, team, report, service record, activity, shop item,
# a reported member) belongs to one community through its ``community_id``.


def in_staff_community(user: User | None, record) -> bool:
    """Tell whether ``record`` belongs to the community ``user`` works for (community staff)."""
    return (
        has_role(user, "community")
        and user.community_id is not None
        and record is not None
        and record.community_id == user.community_id
    )


def require_staff_community(actor: User | None, record, refusal: str):
    """Return ``record`` when it belongs to the staff member's community; refuse (403)."""
    require_role(actor, "community")
    if not in_staff_community(actor, record):
        raise Forbidden(refusal)
    return record


def serves_in(member, record) -> bool:
    """Tell whether a reported ``member`` serves in the community ``record`` belongs to."""
    return (
        member is not None
        and member.community_id is not None
        and record is not None
        and record.community_id == member.community_id
    )


def is_colleague(actor: User | None, user: User | None) -> bool:
    """Tell whether ``user`` is community staff of the same community as ``actor``."""
    return has_role(actor, "community") and in_staff_community(user, actor)


def works_for(actor: User | None, community_id: int | None) -> bool:
    """Tell whether ``actor`` is community staff of the community ``community_id``."""
    return (
        has_role(actor, "community")
        and community_id is not None
        and (actor.community_id == community_id)
    )


# --- Oversight: escalations, joint meetings and the hotline --------------------------
# Who may handle an escalation, answer it, host a meeting or finish its action item.
# Reviewers work at the county level, township staff at their township's.

ESCALATION_LEVEL_OF_ROLE = {"township": "township", "reviewer": "county"}


def require_community_staff(actor: User | None, community_id: int | None, message: str) -> User:
    """Refuse anyone who is not staff of the community ``community_id`` (403)."""
    require_role(actor, "community")
    if not is_community_staff(actor, community_id):
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
        return is_community_staff(user, meeting.community_id)
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
        is_community_staff(user, escalation.community_id)
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


def can_manage_group_webhook(
    user: User | None, *, community_id: int | None = None, township_id: int | None = None
) -> bool:
    """Tell whether ``user`` may set a group's robot: an admin, or that group's own staff."""
    if has_role(user, "admin"):
        return True
    if community_id is not None:
        return has_role(user, "community") and user.community_id == community_id
    if township_id is None or not has_role(user, "township"):
        return False
    return user.township_id == township_id


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


def is_activity_side(user: User | None, activity) -> bool:
    """Tell whether ``user`` is the unit or the community of a pair activity."""
    return is_pair_side(user, activity.unit_id, activity.community_id)


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


# --- Funds and the 大党委 (joint party committee) -------------------------------------
# Who may enter, correct, approve and read funds entries, and manage a committee. A unit
# enters its own pledges and contributions; a community's staff its budget and spending
# and its committee; a township's staff approve its communities' large spending; the
# organization department's reviewers read everything.


def acts_for_unit(user: User | None, unit_id: int | None) -> bool:
    """Tell whether ``user`` is the secretary of unit ``unit_id``."""
    return has_role(user, "unit") and unit_id is not None and user.unit_id == unit_id


def can_enter_fund_entry(user: User | None, kind: str, community_id, unit_id) -> bool:
    """Tell whether ``user`` may enter a funds entry of ``kind`` for that community or unit."""
    if kind in ("pledge", "contribution"):
        return acts_for_unit(user, unit_id)
    return is_community_staff(user, community_id)


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
        or is_community_staff(user, entry.community_id)
        or oversees_community(user, entry.community)
    )


def can_manage_committee(user: User | None, community_id) -> bool:
    """Tell whether ``user`` may change community ``community_id``'s 大党委 and its members."""
    return is_community_staff(user, community_id)


# --- Rows of the actor's own unit, team leaders, the meeting matrix ------------------------


def own_unit_row(user: User | None, rows):
    """Return the row among ``rows`` (attendance, invitations) of ``user``'s unit, or None."""
    if not has_role(user, "unit") or user.unit_id is None:
        return None
    return next((row for row in rows if row.unit_id == user.unit_id), None)


def leads_team(user: User | None, team) -> bool:
    """Tell whether ``user`` is the team's cadre leader (community staff)."""
    return has_role(user, "community") and is_self(user, team.leader_user_id)


def may_see_meeting_matrix(user: User | None) -> bool:
    """Tell whether ``user`` watches which communities and townships held their meetings."""
    return has_role(user, "reviewer", "township")
