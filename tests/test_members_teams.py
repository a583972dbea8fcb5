"""Community staff's teams, posts, placement and shop pages; a not yet reported member's menus."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEntry, Member, Post, ShopItem, Team
from tests.factories import PASSWORD, make_community, make_member, make_post, make_team, make_user
from tests.test_api_marketplace import Api


def _login(client, user):
    answer = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302


def _form_fields(html: str) -> dict[str, str]:
    """Return what a browser posts from the placement form as the page shows it."""
    fields = dict(re.findall(r'<input type="hidden" name="(was\d+)" value="([^"]*)"', html))
    for name, options in re.findall(r'<select[^>]*name="(m\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def _waiting(community, count=3):
    team = make_team(community=community, capacity=10)
    post = make_post(community=community, team=team)
    return team, [make_member(community=community, post=post) for _ in range(count)]


def test_saving_the_placement_places_only_the_row_the_user_changed(client):
    community = make_community()
    _team, waiting = _waiting(community)
    other = make_team(community=community)
    _login(client, make_user("community", community=community))
    html = client.get("/community/teams/placement").get_data(as_text=True)
    assert "（建议）" in html and "采纳全部建议（3 人）" in html
    fields = _form_fields(html)
    assert all(fields[f"m{member.id}"] == "" for member in waiting)  # nothing preselected
    fields[f"m{waiting[0].id}"] = str(other.id)
    answer = client.post("/community/teams/placement", data=fields, follow_redirects=True)
    assert "调整了 1 名党员" in answer.get_data(as_text=True)
    db.session.expire_all()
    teams = [db.session.get(Member, member.id).team_id for member in waiting]
    assert teams == [other.id, None, None]


def test_accepting_every_suggestion_asks_first_then_places_all(client):
    community = make_community()
    team, waiting = _waiting(community)
    _login(client, make_user("community", community=community))
    asked = client.post("/community/teams/placement/accept")
    assert asked.status_code == 200 and "确定采纳全部建议吗" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert all(db.session.get(Member, m.id).team_id is None for m in waiting)
    done = client.post(
        "/community/teams/placement/accept", data={"confirmed": "1"}, follow_redirects=True
    )
    assert "3 名党员编入服务队" in done.get_data(as_text=True)
    db.session.expire_all()
    assert all(db.session.get(Member, m.id).team_id == team.id for m in waiting)
    placed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "team.placed"))
    assert len(list(placed)) == 3


def test_staff_edit_a_team_and_appoint_its_officers(client):
    community = make_community()
    staff = make_user("community", community=community)
    team = make_team(community=community, capacity=5)
    member = make_member(community=community, team=team)
    _login(client, staff)
    page = client.post(
        f"/community/teams/{team.id}/edit",
        data={"name": "", "capacity": "0", "description": "x"},
    )
    assert page.status_code == 400 and "请填写" in page.get_data(as_text=True)
    client.post(
        f"/community/teams/{team.id}/edit",
        data={"name": "助老服务队", "capacity": "6", "leader_user_id": str(staff.id)},
    )
    db.session.expire_all()
    team = db.session.get(Team, team.id)
    assert (team.name, team.capacity, team.leader_user_id) == ("助老服务队", 6, staff.id)
    client.post(
        f"/community/teams/{team.id}/officer", data={"member_id": member.id, "role": "co_leader"}
    )
    db.session.expire_all()
    assert db.session.get(Member, member.id).team_role == "co_leader"
    not_in_team = make_member(community=community)
    refused = client.post(
        f"/community/teams/{team.id}/officer",
        data={"member_id": not_in_team.id, "role": "liaison"},
        follow_redirects=True,
    )
    assert "只能任命本队队员" in refused.get_data(as_text=True)
    outsider = make_member()
    answer = client.post(
        f"/community/teams/{team.id}/officer", data={"member_id": outsider.id, "role": "liaison"}
    )
    assert answer.status_code == 404
    foreign = make_team()
    assert client.get(f"/community/teams/{foreign.id}/edit").status_code == 403


def test_staff_edit_a_post_and_cannot_shrink_it_below_its_takers(client):
    community = make_community()
    staff = make_user("community", community=community)
    post = make_post(community=community, places=3)
    make_member(community=community, post=post)
    make_member(community=community, post=post)
    _login(client, staff)
    client.post(
        f"/community/teams/posts/{post.id}/edit", data={"name": "政策宣讲岗", "places": "5"}
    )
    db.session.expire_all()
    assert (db.session.get(Post, post.id).name, db.session.get(Post, post.id).places) == (
        "政策宣讲岗",
        5,
    )
    shrunk = client.post(
        f"/community/teams/posts/{post.id}/edit", data={"name": "政策宣讲岗", "places": "1"}
    )
    assert shrunk.status_code == 400 and "应在 2 到" in shrunk.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, post.id).places == 5
    assert client.get(f"/community/teams/posts/{make_post().id}/edit").status_code == 403


def test_the_points_shop_sells_within_stock_and_balance(client):
    community = make_community()
    staff = make_user("community", community=community)
    member = make_member(community=community, points_balance=0)
    _login(client, staff)
    client.post("/community/teams/shop/new", data={"name": "洗衣液", "cost": "30", "stock": "1"})
    item = db.session.scalar(select(ShopItem).where(ShopItem.community_id == community.id))
    assert (item.name, item.cost, item.stock) == ("洗衣液", 30, 1)
    poor = client.post(
        "/community/teams/shop/redeem",
        data={"member_id": member.id, "item_id": item.id},
        follow_redirects=True,
    )
    assert "积分不足" in poor.get_data(as_text=True)
    client.post(f"/community/members/{member.id}/correct", data={"amount": "40", "reason": "补录"})
    client.post("/community/teams/shop/redeem", data={"member_id": member.id, "item_id": item.id})
    db.session.expire_all()
    assert db.session.get(Member, member.id).points_balance == 10
    assert db.session.get(ShopItem, item.id).stock == 0
    gone = client.post(
        "/community/teams/shop/redeem",
        data={"member_id": member.id, "item_id": item.id},
        follow_redirects=True,
    )
    assert "已兑完" in gone.get_data(as_text=True)


def test_a_member_not_yet_reported_sees_only_the_report_menu(client):
    member = make_member(reported=False, home_community=make_community())
    _login(client, member.user)
    home = client.get("/member/").get_data(as_text=True)
    nav = home[home.index('id="mainNav"') : home.index("</nav>")]
    assert "报到" in nav and "选岗" not in nav and "积分" not in nav and "110派单" not in nav
    posts = client.get("/member/posts").get_data(as_text=True)
    assert '<h1 class="h4">服务岗位</h1>' in posts and "· 服务岗位" not in posts


def test_staff_api_creates_posts_only_for_their_own_community(client):
    staff = make_user("community")
    api = Api(client, staff)
    other = make_community()
    answer = api.post(f"/communities/{other.id}/posts", {"name": "助老岗", "places": 3})
    assert answer.status_code == 403 and "本社区" in answer.json["error"]
    ok = api.post(f"/communities/{staff.community_id}/posts", {"name": "助老岗", "places": 3})
    assert ok.status_code == 201 and ok.json["community_id"] == staff.community_id
