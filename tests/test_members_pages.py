"""The members' pages for each role: a member, community staff, a secretary, a reviewer."""

from datetime import timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Member, MemberReport, PointEntry, ServiceRecord, User
from marketplace.models._common import utcnow
from marketplace.services.members import activities
from tests.factories import PASSWORD, make_community, make_member, make_post, make_team, make_user


def _login(client, user):
    answer = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302


def test_member_home_report_and_choose(client):
    home = make_community(name="居住的社区")
    member = make_member(reported=False, home_community=home)
    _login(client, member.user)
    page = client.get("/member/").get_data(as_text=True)
    assert "您还没有报到" in page and "参加1次社区党组织生活" in page
    assert client.post("/member/report", data={"community_id": home.id}).status_code == 302
    report = db.session.scalar(select(MemberReport).where(MemberReport.member_id == member.id))
    assert report.status == "pending"
    staff = make_user("community", community=home)
    client.post("/logout")
    _login(client, staff)
    assert "待确认的报到" in client.get("/community/members/reports").get_data(as_text=True)
    assert client.post(f"/community/members/reports/{report.id}/confirm").status_code == 302
    post = make_post(community=home, places=1)
    client.post("/logout")
    _login(client, member.user)
    assert post.name in client.get("/member/posts").get_data(as_text=True)
    client.post(f"/member/posts/{post.id}/choose")
    db.session.expire_all()
    assert db.session.get(Member, member.id).post_id == post.id


def test_bad_service_form_rerenders_with_chinese_messages(client):
    member = make_member()
    _login(client, member.user)
    answer = client.post("/member/services/new", data={"date": "", "hours": "99", "summary": ""})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "请填写服务日期" in html and "服务时长应在" in html
    form = client.get("/member/services/new").get_data(as_text=True)
    assert "novalidate" in form  # the Chinese messages, never the browser's own bubble
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 0


def test_check_in_only_during_the_activity_and_once(client):
    member = make_member()
    staff = make_user("community", community=member.community)
    activity = activities.create_activity(
        staff, {"title": "座谈会", "kind": "symposium", "date": "2026-01-05", "starts": "09:00",
                "ends": "10:00"},
    )  # fmt: skip
    _login(client, member.user)
    answer = client.post(f"/member/checkin/{activity.checkin_token}", data={"next": "/member/"})
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 0  # ended
    activity.starts_at, activity.ends_at = (
        utcnow() - timedelta(hours=1),
        utcnow() + timedelta(hours=1),
    )
    db.session.commit()
    assert client.post(f"/member/checkin/{activity.checkin_token}").status_code == 302
    client.post(f"/member/checkin/{activity.checkin_token}")
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 1
    record = db.session.scalar(select(ServiceRecord))
    assert record.kind == "symposium" and record.activity_id == activity.id
    other = make_member()  # reported to another community
    client.post("/logout")
    _login(client, other.user)
    assert client.post(f"/member/checkin/{activity.checkin_token}").status_code == 403
    assert client.get("/member/checkin/not-a-token").status_code == 404


def test_staff_see_the_qr_code_as_svg(client):
    staff = make_user("community")
    activity = activities.create_activity(
        staff, {"title": "志愿服务", "date": "2026-01-05", "starts": "09:00", "ends": "10:00"}
    )
    _login(client, staff)
    html = client.get(f"/community/members/activities/{activity.id}").get_data(as_text=True)
    assert "<svg" in html and activity.checkin_token in html
    other = make_user("community")
    client.post("/logout")
    _login(client, other)
    assert client.get(f"/community/members/activities/{activity.id}").status_code == 403


def test_confirming_a_service_awards_points_once_and_cards_print(client):
    member = make_member()
    staff = make_user("community", community=member.community)
    record = ServiceRecord(member_id=member.id, community_id=member.community_id,
                           served_on=utcnow().date(), hours=2, summary="助老")  # fmt: skip
    db.session.add(record)
    db.session.commit()
    _login(client, staff)
    client.post(f"/community/members/services/{record.id}/confirm")
    client.post(f"/community/members/services/{record.id}/confirm")
    entries = db.session.scalars(select(PointEntry)).all()
    assert [(e.amount, e.source_kind, e.source_id) for e in entries] == [(20, "service", record.id)]
    for kind in ("info", "service", "points"):
        html = client.get(f"/community/members/{member.id}/cards/{kind}").get_data(as_text=True)
        assert member.name in html and "members.css" in html
    assert "基础台账" in client.get("/community/members/").get_data(as_text=True)
    client.post(f"/community/members/{member.id}/correct", data={"amount": "-30", "reason": "x"})
    assert db.session.get(Member, member.id).points_balance == 20  # never below zero


def test_placement_suggests_the_post_team_and_staff_apply_it(client):
    community = make_community()
    teams = [make_team(community=community, capacity=1) for _ in range(2)]
    post = make_post(community=community, team=teams[1])
    members = [make_member(community=community, post=post) for _ in range(2)]
    staff = make_user("community", community=community)
    _login(client, staff)
    html = client.get("/community/teams/placement").get_data(as_text=True)
    assert "（建议）" in html
    data = {f"m{members[0].id}": teams[1].id, f"m{members[1].id}": teams[0].id}
    assert client.post("/community/teams/placement", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, members[0].id).team_id == teams[1].id
    full = {f"m{members[1].id}": teams[1].id}
    client.post("/community/teams/placement", data=full)
    db.session.expire_all()
    assert db.session.get(Member, members[1].id).team_id == teams[0].id  # over capacity: refused


def _sheet(rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(["姓名", "手机", "居住社区", "用户名"])
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_secretary_registers_and_imports_all_or_nothing(client):
    secretary = make_user("unit")
    make_community(name="城东社区")
    _login(client, secretary)
    answer = client.post("/unit/members/new", data={"name": "王强", "phone": "13700000001"})
    assert answer.status_code == 302
    bad = _sheet([["张三", "13700000002", "城东社区", ""], ["李四", "123", "不存在社区", ""]])
    answer = client.post("/unit/members/import", data={"file": (BytesIO(bad), "m.xlsx")})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "第 3 行「手机」" in html and "第 3 行「居住社区」" in html
    assert db.session.scalar(select(func.count()).select_from(Member)) == 1
    good = _sheet([["张三", "13700000002", "城东社区", ""], ["王强", "13700000001", "", ""]])
    answer = client.post("/unit/members/import", data={"file": (BytesIO(good), "m.xlsx")})
    assert answer.status_code == 200 and "新增 1，跳过 1" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(User.role == "member")) == 2
    assert "张三" in client.get("/unit/members/").get_data(as_text=True)


def test_reviewer_sees_rates_with_a_chart(client):
    make_member(post=make_post())
    reviewer = make_user("reviewer")
    _login(client, reviewer)
    html = client.get("/review/members/").get_data(as_text=True)
    assert "<svg" in html and "报到率" in html and "清单完成率" in html


def test_admin_changes_point_values(client):
    admin = make_user("admin")
    _login(client, admin)
    data = {"service": 12, "activity": 5, "wish": 30, "hotline": 15, "checklist": 50}
    assert client.post("/admin/points/", data=data).status_code == 302
    from marketplace.services.members.points import point_value

    assert point_value("wish") == 30
    assert client.post("/admin/points/", data={**data, "wish": -1}).status_code == 400


def test_staff_load_the_default_posts_and_teams_once(client):
    staff = make_user("community")
    _login(client, staff)
    assert "载入默认岗位和服务队" in client.get("/community/teams/").get_data(as_text=True)
    client.post("/community/teams/defaults")
    html = client.get("/community/teams/posts").get_data(as_text=True)
    assert "策划岗" in html and "宣传岗" in html and "管理岗" in html
    html = client.get("/community/teams/").get_data(as_text=True)
    assert all(name in html for name in ("便民", "助民", "惠民", "乐民", "安民"))
    answer = client.post("/community/teams/defaults", data={"next": "/community/teams/"})
    assert answer.status_code == 302  # refused with a message: nothing added twice
