"""The named policies of ``services/access.py``: places, records and scopes."""

import pytest

from marketplace.errors import Forbidden
from marketplace.models.wishes import Wish
from marketplace.services import access
from tests.factories import make_community, make_member, make_township, make_unit, make_user


def test_staff_of_a_place_are_told_apart_from_everyone_else(app):
    community, unit, township = make_community(), make_unit(), make_township()
    staff = make_user("community", community=community)
    secretary = make_user("unit", unit=unit)
    township_staff = make_user("township", township=township)
    assert access.is_community_staff(staff, community.id)
    assert not access.is_community_staff(staff, make_community().id)
    assert not access.is_community_staff(secretary, community.id)
    assert not access.is_community_staff(None, community.id)
    assert access.is_unit_secretary(secretary, unit.id)
    assert not access.is_unit_secretary(staff, unit.id)
    assert access.is_township_staff(township_staff, township.id)
    assert not access.is_township_staff(township_staff, make_township().id)
    assert access.is_self(staff, staff.id) and not access.is_self(staff, secretary.id)
    assert not access.is_self(None, None)


def _claimed(community, kind: str, user_id: int, unit_id: int) -> Wish:
    return Wish(
        community_id=community.id,
        claimer_kind=kind,
        status="claimed",
        claimer_user_id=user_id,
        claimer_unit_id=unit_id,
    )


def test_a_wish_is_managed_by_its_community_and_worked_on_by_its_claimer(app):
    community = make_community()
    staff, other_staff = make_user("community", community=community), make_user("community")
    member, unit_secretary = make_member(), make_user("unit")
    by_member = _claimed(community, "member", member.user.id, member.unit_id)
    by_unit = _claimed(community, "unit", unit_secretary.id, unit_secretary.unit_id)
    colleague = make_user("unit", unit_id=unit_secretary.unit_id)
    assert access.can_manage(staff, by_member) and access.can_see_resident(staff, by_member)
    assert not access.can_manage(other_staff, by_member)
    assert not access.can_see_resident(member.user, by_member)
    assert access.is_wish_claimer(member.user, by_member)
    assert not access.is_wish_claimer(make_member().user, by_member)
    assert access.is_wish_claimer(colleague, by_unit)  # the unit claimed, any of its staff
    assert not access.is_wish_claimer(staff, by_unit)
    assert access.can_post_wishes(staff) and not access.can_post_wishes(member.user)
    assert access.can_claim_wishes(member.user) and access.can_claim_wishes(colleague)
    assert not access.can_claim_wishes(None)


def test_reviewers_see_the_county_and_township_staff_their_communities(app):
    township = make_township()
    mine = [make_community(township=township).id for _ in range(2)]
    make_community()  # another township's
    assert access.scope_communities(make_user("reviewer")) is None
    assert access.scope_communities(make_user("township", township=township)) == sorted(mine)
    for role in ("community", "unit", "member"):
        with pytest.raises(Forbidden):
            access.scope_communities(make_user(role) if role != "member" else make_member().user)
    staff = make_user("community", community_id=mine[0])
    assert access.acting_communities(staff) == [mine[0]]
