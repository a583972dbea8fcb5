"""Oversight pages as people use them, on the demo county and on a small world."""

import pytest
from sqlalchemy import func, select

from marketplace.models import Escalation, JointMeeting, PairActivity, User
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_need

DEMO_PAGES = {
    "township01": [
        "/compliance/",
        "/compliance/export.xlsx",
        "/meetings/",
        "/meetings/new",
        "/meetings/matrix",
        "/meetings/matrix.xlsx",
        "/escalations/",
        "/coverage/",
    ],
    "reviewer": [
        "/compliance/",
        "/coverage/",
        "/assessment/",
        "/assessment/export.xlsx",
        "/escalations/",
    ],
    "community01": ["/pair-activities/", "/meetings/", "/meetings/new", "/escalations/"],
    "unit01": ["/pair-activities/", "/assessment/", "/escalations/", "/meetings/"],
}


@pytest.mark.parametrize("login", sorted(DEMO_PAGES))
def test_demo_pages_render_for_each_role(demo_client, demo_auth, login):
    assert demo_auth.login(login).status_code == 302
    for path in DEMO_PAGES[login]:
        response = demo_client.get(path)
        assert response.status_code == 200, (login, path)
        if path.endswith(".xlsx"):
            assert response.data.startswith(b"PK")


def test_township_lands_on_compliance_and_sees_its_matrix(demo_client, demo_auth, demo_app):
    response = demo_auth.login("township01")
    assert response.headers["Location"].endswith("/compliance/")
    page = demo_client.get("/compliance/").get_data(as_text=True)
    assert "<svg" in page and "以表格查看" in page and "/compliance/pairs/" in page
    township = (
        demo_app.extensions["sqlalchemy"]
        .session.scalar(select(User).where(User.username == "township01"))
        .township
    )
    names = {c.name for c in township.communities}
    assert all(name in page for name in names)
    heat = demo_client.get("/coverage/").get_data(as_text=True)
    assert "<svg" in heat and "/coverage/" in heat


def test_demo_year_has_gaps_escalations_and_meetings(demo_app):
    from marketplace.extensions import db

    assert db.session.scalar(select(func.count()).select_from(PairActivity)) > 200
    levels = set(db.session.scalars(select(Escalation.level)))
    assert levels == {"township", "county"}
    assert set(db.session.scalars(select(JointMeeting.level))) == {
        "community",
        "township",
        "county",
    }


def test_log_form_rerenders_with_chinese_errors_then_logs(app, client, login_as):
    from tests.factories import make_community
    from tests.oversight_helpers import publish_pairs

    user = login_as("unit")
    community = make_community()
    publish_pairs([(user.unit, community)])
    data = {"community_id": community.id, "date": "2026-13-01", "kind": "party_day", "title": ""}
    response = client.post("/pair-activities/", data=data)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 400 and "格式应为 YYYY-MM-DD" in page and "请填写活动主题" in page
    )
    data.update(date=county_today().isoformat(), title="主题党日")
    assert client.post("/pair-activities/", data=data).status_code == 302
    assert client.get("/pair-activities/").get_data(as_text=True).count("主题党日") >= 1


def test_the_log_form_chooses_no_pair_and_no_kind_for_the_user(app, client, login_as):
    from tests.factories import make_community
    from tests.oversight_helpers import publish_pairs

    user = login_as("unit")
    publish_pairs([(user.unit, make_community()), (user.unit, make_community())])
    page = client.get("/pair-activities/").get_data(as_text=True)
    assert '<option value="">请选择结对社区</option>' in page
    assert '<option value="">请选择活动形式</option>' in page
    assert " selected>" not in page.split('id="other"')[1].split("</select>")[0]
    data = {"community_id": "", "date": county_today().isoformat(), "kind": "", "title": "座谈"}
    refused = client.post("/pair-activities/", data=data)
    assert refused.status_code == 400 and "活动形式" in refused.get_data(as_text=True)


def test_community_records_a_meeting_and_escalates_a_need(app, client, login_as, db):
    user = login_as("community")
    response = client.post("/meetings/new", data={"held_on": "", "theme": ""})
    assert response.status_code == 400 and "请填写会议主题" in response.get_data(as_text=True)
    data = {"held_on": county_today().isoformat(), "theme": "环境整治", "next_theme": "扶贫"}
    assert client.post("/meetings/new", data=data).status_code == 302
    need = make_need(community=user.community)
    response = client.post("/escalations/needs", data={"need_id": need.id, "reason": "无人认领"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1
    response = client.post("/escalations/needs", data={"need_id": need.id, "reason": "again"})
    assert response.status_code == 400  # refused in the form, nothing added
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1


def test_reviewer_saves_weights_from_the_page(app, client, login_as):
    login_as("reviewer")
    response = client.post("/assessment/weights", data={"year": "2026", "quarters_compliant": "x"})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "权重" in follow
