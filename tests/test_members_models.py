"""The members' tables: factories, constraints that keep the data honest."""

import pytest
from sqlalchemy.exc import IntegrityError

from marketplace.models import MemberReport
from tests.factories import make_member, make_post, make_team


def test_factories_build_a_reported_member_with_post_and_team(db):
    team = make_team()
    post = make_post(community=team.community, team=team, places=2)
    member = make_member(community=team.community, post=post, team=team, team_role="co_leader")
    db.session.refresh(post)
    assert member.reported and member.user.role == "member"
    assert member.user.unit_id is None  # a member is bound through the Member row
    assert post.taken == 1 and team.co_leader == member and team.liaison is None


def test_a_member_holds_one_live_report(db):
    member = make_member()
    db.session.add(MemberReport(member_id=member.id, community_id=member.community_id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_post_cannot_be_taken_beyond_its_places(db):
    post = make_post(places=1)
    post.taken = 2
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_team_has_one_liaison(db):
    team = make_team()
    make_member(community=team.community, team=team, team_role="liaison")
    with pytest.raises(IntegrityError):
        make_member(community=team.community, team=team, team_role="liaison")
    db.session.rollback()
