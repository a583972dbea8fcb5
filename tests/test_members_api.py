"""The members' JSON API: the whole flow, and each route refusing the wrong roles."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import AuditEntry, Member, PairingPlan, PlanPair
from tests.factories import make_community, make_county, make_member, make_post, make_user
from tests.helpers.api import Api
from tests.helpers.clock import freeze_clock


def _pair(unit_id: int, community_id: int) -> None:
    plan = PairingPlan(county_id=make_county().id, version=1, status="published")
    db.session.add(plan)
    db.session.flush()
    db.session.add(PlanPair(plan_id=plan.id, unit_id=unit_id, community_id=community_id))
    db.session.commit()


def test_register_report_choose_serve_and_earn_points(client, monkeypatch):
    freeze_clock(monkeypatch)  # "yesterday" falls in this year: the checklist counts it
    secretary = make_user("unit")
    community = make_community()
    staff = Api(client, make_user("community", community=community))
    _pair(secretary.unit_id, community.id)
    unit_api = Api(client, secretary)

    answer = unit_api.post("/members", {"name": "李明", "phone": "13912345678"})
    assert answer.status_code == 201, answer.json
    member = db.session.get(Member, answer.json["id"])
    assert answer.json["username"] == member.user.username and member.unit_id == secretary.unit_id
    assert member.user.unit_id is None
    me = Api(client, member.user)
    assert me.get("/me").json == {
        "id": member.user_id,
        "username": member.user.username,
        "name": "李明",
        "role": "member",
        "community_id": None,
        "unit_id": None,
        "township_id": None,
        "member_id": member.id,
    }

    reported = me.post("/members/me/report", {"community_id": community.id})
    assert reported.status_code == 201 and reported.json["status"] == "pending"
    assert me.post("/members/me/report", {"community_id": community.id}).status_code == 409
    post = make_post(community=community, places=1)
    refused = me.post(f"/posts/{post.id}/choose")
    assert refused.status_code == 409 and "报到经社区确认" in refused.json["error"]
    confirmed = staff.post(f"/member-reports/{reported.json['id']}/confirm")
    assert confirmed.json["status"] == "confirmed"

    listed = me.get(f"/communities/{community.id}/posts").json["results"]
    assert [p["places_left"] for p in listed] == [1]
    assert me.post(f"/posts/{post.id}/choose").status_code == 201
    other = make_member(community=community)
    full = Api(client, other.user).post(f"/posts/{post.id}/choose")
    assert full.status_code == 409 and "名额已满" in full.json["error"]

    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    early = me.post("/service-records", {"date": yesterday, "hours": 4, "summary": "清理楼道"})
    assert early.status_code == 400 and "不能早于社区确认报到的日期" in early.json["error"]
    today = clock.today().isoformat()
    logged = me.post("/service-records", {"date": today, "hours": 4, "summary": "清理楼道"})
    assert logged.status_code == 201 and logged.json["status"] == "submitted"
    assert staff.post(f"/service-records/{logged.json['id']}/confirm").status_code == 200
    again = staff.post(f"/service-records/{logged.json['id']}/confirm")
    assert again.status_code == 409

    mine = me.get("/members/me").json
    assert mine["community"]["id"] == community.id and mine["post"]["id"] == post.id
    assert mine["points"] == 40  # 4 hours
    by_key = {item["key"]: item for item in mine["checklist"]}
    assert len(by_key) == 5
    assert by_key["volunteer_day"]["done"] is True
    assert by_key["volunteer_day"]["evidence"][0]["record_id"] == logged.json["id"]
    assert by_key["wish"]["done"] is False and by_key["wish"]["evidence"] == []
    ledger = me.get("/members/me/points").json
    assert ledger["balance"] == 40
    assert [(e["amount"], e["source"]) for e in ledger["entries"]] == [(40, "service")]
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"member.registered", "member_report.confirmed", "post.chosen"} <= actions
    assert {"service.confirmed"} <= actions


def test_reports_only_to_paired_or_home_community(client):
    member = make_member(reported=False)
    stranger = make_community()
    answer = Api(client, member.user).post("/members/me/report", {"community_id": stranger.id})
    assert answer.status_code == 400 and "结对的社区或本人居住的社区" in answer.json["error"]


def test_staff_of_another_community_cannot_confirm(client):
    member = make_member(reported=False, home_community=make_community())
    report = Api(client, member.user).post(
        "/members/me/report", {"community_id": member.home_community_id}
    )
    outsider = Api(client, make_user("community"))
    assert outsider.post(f"/member-reports/{report.json['id']}/confirm").status_code == 403
    returned = Api(client, make_user("community", community=member.home_community)).post(
        f"/member-reports/{report.json['id']}/return", {"reason": "不在本社区居住"}
    )
    assert returned.json["status"] == "returned"


def test_bad_input_is_a_4xx_with_a_chinese_reason(client):
    secretary = Api(client, make_user("unit"))
    answer = secretary.post("/members", {"name": "", "phone": "12"})
    assert answer.status_code == 400 and "姓名" in answer.json["error"]
    member = Api(client, make_member().user)
    answer = member.post("/service-records", {"date": "昨天", "hours": 30, "summary": "x"})
    assert answer.status_code == 400 and answer.json["field"] in ("date", "hours")


@pytest.mark.parametrize(
    "method, url, allowed",
    [
        ("post", "/members", {"unit"}),
        ("get", "/members/me", {"member"}),
        ("get", "/members/me/points", {"member"}),
        ("post", "/members/me/report", {"member"}),
        ("post", "/member-reports/1/confirm", {"community"}),
        ("post", "/member-reports/1/return", {"community"}),
        ("post", "/communities/1/posts", {"community"}),
        ("post", "/posts/1/choose", {"member"}),
        ("post", "/service-records", {"member"}),
        ("post", "/service-records/1/confirm", {"community"}),
    ],
)
def test_api_roles(client, method, url, allowed):
    for role in ("community", "unit", "reviewer", "admin", "member", "township", "dispatcher"):
        user = make_member().user if role == "member" else make_user(role)
        answer = getattr(Api(client, user), method)(url)
        if role in allowed:
            assert answer.status_code != 403 or "只能" in answer.json["error"], (role, url)
        else:
            assert answer.status_code == 403, (role, url, answer.status_code)
    assert getattr(Api(client), method)(url).status_code == 401


def test_stats_count_members_posts_and_teams(client):
    make_member(post=make_post())
    figures = client.get("/api/v1/stats").json
    assert figures["members_reported"] == 1 and figures["posts"] == 1 and figures["teams"] == 0
