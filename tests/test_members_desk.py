"""Community staff's members desk: the service records tabs, returning records and reports,
activities, and the new team and post forms."""

from datetime import timedelta

from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import Activity, MemberReport, Notification, ServiceRecord, Team
from marketplace.models._common import utcnow
from marketplace.services.members import activities
from tests.factories import PASSWORD, make_community, make_member, make_user


def _login(client, user):
    answer = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302


def _record(member, **values):
    record = ServiceRecord(
        member_id=member.id,
        community_id=member.community_id,
        served_on=clock.today(),
        hours=2,
        summary="助老送餐",
        **values,
    )
    db.session.add(record)
    db.session.commit()
    return record


def test_staff_return_a_record_only_with_a_reason_and_the_member_is_told(client):
    member = make_member()
    staff = make_user("community", community=member.community)
    record = _record(member)
    _login(client, staff)
    listed = client.get("/community/members/services").get_data(as_text=True)
    assert "助老送餐" in listed and 'data-label="服务日期"' in listed
    refused = client.post(
        f"/community/members/services/{record.id}/return",
        data={"reason": ""},
        follow_redirects=True,
    )
    assert "请填写退回原因" in refused.get_data(as_text=True)
    client.post(f"/community/members/services/{record.id}/return", data={"reason": "时长有误"})
    db.session.expire_all()
    record = db.session.get(ServiceRecord, record.id)
    assert (record.status, record.reason) == ("returned", "时长有误")
    told = db.session.scalars(
        select(Notification.message).where(Notification.user_id == member.user_id)
    )
    assert any("时长有误" in body for body in told)
    returned = client.get("/community/members/services?status=returned").get_data(as_text=True)
    assert "助老送餐" in returned
    other = make_user("community")
    client.post("/logout")
    _login(client, other)
    assert client.post(f"/community/members/services/{record.id}/confirm").status_code == 403


def test_an_open_check_in_asks_staff_for_the_hours(client):
    member = make_member()
    staff = make_user("community", community=member.community)
    activity = Activity(
        community_id=member.community_id,
        title="环境整治",
        starts_at=utcnow() - timedelta(hours=1),
        ends_at=utcnow() + timedelta(hours=1),
        checkin_token="open-check-in",
    )
    db.session.add(activity)
    db.session.commit()
    record = activities.check_in(member.user, "open-check-in")
    _login(client, staff)
    html = client.get("/community/members/services").get_data(as_text=True)
    assert "未签退" in html and f'id="hours-{record.id}"' in html
    refused = client.post(
        f"/community/members/services/{record.id}/confirm", data={}, follow_redirects=True
    )
    assert "请填写实际服务时长" in refused.get_data(as_text=True)
    client.post(f"/community/members/services/{record.id}/confirm", data={"hours": "1.5"})
    db.session.expire_all()
    assert db.session.get(ServiceRecord, record.id).hours == 1.5


def test_staff_return_a_report_with_a_reason(client):
    community = make_community()
    member = make_member(reported=False, home_community=community)
    report = MemberReport(member_id=member.id, community_id=community.id)
    db.session.add(report)
    db.session.commit()
    _login(client, make_user("community", community=community))
    client.post(f"/community/members/reports/{report.id}/return", data={"reason": "非本社区居民"})
    db.session.expire_all()
    assert db.session.get(MemberReport, report.id).status == "returned"


def test_staff_create_an_activity_and_bad_input_stays_on_the_form(client):
    staff = make_user("community")
    _login(client, staff)
    assert "活动" in client.get("/community/members/activities/new").get_data(as_text=True)
    bad = client.post(
        "/community/members/activities/new",
        data={
            "title": "座谈会",
            "date": clock.today().isoformat(),
            "starts": "10:00",
            "ends": "09:00",
        },
    )
    assert bad.status_code == 400 and "结束时间应晚于开始时间" in bad.get_data(as_text=True)
    assert 'value="座谈会"' in bad.get_data(as_text=True)
    good = client.post(
        "/community/members/activities/new",
        data={
            "title": "座谈会",
            "date": clock.today().isoformat(),
            "starts": "09:00",
            "ends": "11:00",
        },
    )
    assert good.status_code == 302
    assert "座谈会" in client.get("/community/members/activities").get_data(as_text=True)


def test_staff_open_the_new_team_and_post_forms_and_save_a_team(client):
    staff = make_user("community")
    _login(client, staff)
    assert client.get("/community/teams/new").status_code == 200
    assert client.get("/community/teams/posts/new").status_code == 200
    client.post("/community/teams/new", data={"name": "安民服务队", "capacity": "8"})
    team = db.session.scalar(select(Team).where(Team.community_id == staff.community_id))
    assert (team.name, team.capacity) == ("安民服务队", 8)
    client.post(
        "/community/teams/posts/new", data={"name": "平安巡逻岗", "places": "4", "team_id": team.id}
    )
    assert "平安巡逻岗" in client.get("/community/teams/posts").get_data(as_text=True)
