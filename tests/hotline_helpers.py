"""Helpers for the hotline tests: a team with a cadre leader and a member co-leader."""

from types import SimpleNamespace

from marketplace.services.hotline import hotline
from tests.factories import make_community, make_member, make_post, make_team, make_user


def staffed_team(community=None, *, name=None, post_name=None):
    """Return a team of ``community`` with a cadre leader, a co-leader and one more member."""
    community = community or make_community()
    leader = make_user("community", community=community)
    extra = {"name": name} if name else {}
    team = make_team(community=community, leader_user_id=leader.id, **extra)
    if post_name:
        make_post(community=community, name=post_name, team_id=team.id)
    co_leader = make_member(community=community, team=team, team_role="co_leader")
    member = make_member(community=community, team=team)
    return SimpleNamespace(
        team=team, leader=leader, co_leader=co_leader, member=member, community=community
    )


def call(dispatcher=None, **overrides):
    """Log a call as a dispatcher and return the ticket."""
    dispatcher = dispatcher or make_user("dispatcher")
    data = {
        "service_code": "repair",
        "description": "厨房水管漏水，老人独居",
        "phone": "13800001111",
        "first_name": "李阿姨",
        "address_string": "幸福路 8 号",
        "urgency": "normal",
    }
    data.update(overrides)
    return hotline.receive_ticket(dispatcher, data)
