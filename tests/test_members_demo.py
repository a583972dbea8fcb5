"""The demo county's members, and ``flask points check`` on it."""

from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.models import Community, Member, Post, Team, User


def test_every_community_has_twenty_members_twelve_posts_seven_teams(demo_app):
    for community in db.session.scalars(select(Community)):
        reported = db.session.scalar(
            select(func.count()).where(Member.community_id == community.id)
        )
        posts = db.session.scalar(select(func.count()).where(Post.community_id == community.id))
        teams = db.session.scalar(select(func.count()).where(Team.community_id == community.id))
        assert reported >= 20 and posts == 12 and teams == 7, community.name
    assert db.session.scalar(select(func.count()).where(Member.community_id.is_(None))) >= 3


def test_member001_logs_in_reported_with_a_post_and_a_team(demo_app, demo_auth, demo_client):
    assert demo_auth.login("member001").status_code == 302
    html = demo_client.get("/member/").get_data(as_text=True)
    member = db.session.scalar(select(Member).join(User).where(User.username == "member001"))
    assert member.post is not None and member.team is not None and member.points_balance > 0
    assert member.post.name in html and member.team.name in html


def test_points_check_passes_then_names_a_member_whose_balance_differs(demo_app):
    runner = demo_app.test_cli_runner()
    result = runner.invoke(args=["points", "check"])
    assert result.exit_code == 0, result.output
    member = db.session.scalar(select(Member).where(Member.points_balance > 0).limit(1))
    db.session.execute(
        update(Member)
        .where(Member.id == member.id)
        .values(points_balance=member.points_balance + 7)
    )
    db.session.commit()
    result = runner.invoke(args=["points", "check"])
    assert result.exit_code == 1 and f"#{member.id} {member.name}" in result.output
