"""Races on the members' writes, on both databases.

3n members choose a post of n places at the same moment → exactly n hold it.
Redemptions racing for the same points never take a balance below zero.
"""

from sqlalchemy import func, select

from marketplace.extensions import db as _db
from marketplace.models import Member, PointEntry, Post, ServiceRecord, User
from marketplace.services.accounts import issue_api_token
from marketplace.services.members import activities, points, posts
from tests.concurrency import race
from tests.factories import make_community, make_post, make_unit, make_user


def _members(db, community, count: int) -> list[int]:
    """Create ``count`` reported members cheaply (no password hashing); return user ids."""
    unit = make_unit()
    users = [
        User(username=f"racer_m{community.id}_{i}", role="member", password_hash="!")
        for i in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        Member(user_id=user.id, unit_id=unit.id, name=f"党员{i}", community_id=community.id)
        for i, user in enumerate(users)
    )
    db.session.commit()
    return [user.id for user in users]


def _as_user(user_ids, action):
    def work(index, barrier):
        user = _db.session.get(User, user_ids[index])
        _db.session.commit()
        barrier.wait()
        return action(user)

    return work


def test_c8_thirty_members_choose_a_post_of_ten(app, db):
    community = make_community()
    post_id = make_post(community=community, places=10).id
    users = _members(db, community, 30)
    outcomes = race(app, db, 30, _as_user(users, lambda user: posts.choose_post(user, post_id).id))
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 10 and kinds.count("Conflict") == 20, outcomes
    assert all("名额已满" in message for kind, message in outcomes if kind == "Conflict")
    db.session.expire_all()
    holders = db.session.scalar(select(func.count()).where(Member.post_id == post_id))
    assert holders == 10 and db.session.get(Post, post_id).taken == 10
    assert posts.check_post_counts() == []


def test_c8_through_the_api_ten_201_and_the_rest_409(app, db):
    community = make_community()
    post_id = make_post(community=community, places=4).id
    tokens = [issue_api_token(db.session.get(User, u)) for u in _members(db, community, 12)]

    def work(index, barrier):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/posts/{post_id}/choose",
            headers={"Authorization": f"Bearer {tokens[index]}"},
        )
        return response.status_code

    statuses = [value for _, value in race(app, db, 12, work)]
    assert sorted(statuses) == [201] * 4 + [409] * 8, statuses


def test_c10_racing_redemptions_never_go_below_zero(app, db):
    community = make_community()
    [member_user] = _members(db, community, 1)
    member = db.session.scalar(select(Member).where(Member.user_id == member_user))
    points.award(member, "correction", amount=25, reason="起始积分")
    db.session.commit()
    staff = [make_user("community", community=community).id for _ in range(6)]
    items = [
        points.save_shop_item(
            db.session.get(User, staff[0]), {"name": f"物品{i}", "cost": 10, "stock": 5}
        ).id
        for i in range(6)
    ]
    member_id = member.id

    def work(index, barrier):
        actor = _db.session.get(User, staff[index])
        _db.session.commit()
        barrier.wait()
        return points.redeem_item(actor, member_id, items[index]).amount

    outcomes = race(app, db, 6, work)
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 2 and kinds.count("Conflict") == 4, outcomes
    assert all("积分不足" in message for kind, message in outcomes if kind == "Conflict")
    db.session.expire_all()
    assert db.session.get(Member, member_id).points_balance == 5
    total = db.session.scalar(
        select(func.sum(PointEntry.amount)).where(PointEntry.member_id == member_id)
    )
    assert total == 5 and points.balance_mismatches() == []


def test_a_double_scan_checks_in_once(app, db):
    community = make_community()
    [user_id] = _members(db, community, 1)
    staff = make_user("community", community=community)
    from marketplace.services.members.members import county_now

    now = county_now()
    activity = activities.create_activity(
        staff,
        {
            "title": "主题党日",
            "kind": "org_life",
            "date": now.date().isoformat(),
            "starts": "00:00",
            "ends": "23:59",
        },
    )
    token = activity.checkin_token
    outcomes = race(app, db, 4, _as_user([user_id] * 4, lambda u: activities.check_in(u, token).id))
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == 3, outcomes
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 1


def test_two_staff_confirming_one_report_confirm_it_once(app, db):
    from marketplace.models import AuditEntry, MemberReport
    from marketplace.services.members import members
    from tests.factories import make_member

    member = make_member(reported=False, home_community=make_community())
    report = MemberReport(member_id=member.id, community_id=member.home_community_id)
    db.session.add(report)
    db.session.commit()
    staff = [make_user("community", community=member.home_community).id for _ in range(4)]
    report_id = report.id
    outcomes = race(
        app, db, 4, _as_user(staff, lambda u: members.confirm_report(u, report_id).status)
    )
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == 3, outcomes
    confirmed = select(func.count()).where(AuditEntry.action == "member_report.confirmed")
    assert db.session.scalar(confirmed) == 1
