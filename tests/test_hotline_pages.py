"""志愿服务110 pages: public intake and status, the dispatcher's desk, the team's queue."""

from sqlalchemy import select

from marketplace.models.hotline import Ticket
from marketplace.services.hotline import hotline
from tests.factories import PASSWORD, make_community, make_user
from tests.hotline_helpers import call, staffed_team
from tests.pages_helpers import ESCAPED_SCRIPT, HOSTILE, count, signed_in


def test_a_resident_asks_for_help_without_an_account(app, db, client):
    community = make_community()
    response = client.post(
        "/hotline/",
        data={
            "service_code": "elderly",
            "description": HOSTILE,
            "community_id": str(community.id),
            "first_name": "李阿姨",
            "phone": "13511112222",
            "urgency": "normal",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:600]
    ticket_id = db.session.scalar(select(Ticket.id))
    status = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"#{ticket_id}" in status and "接听登记" in status
    assert "13511112222" not in status and "李阿姨" not in status and "<script>alert" not in status


def test_missing_phone_re_renders_in_chinese(app, client):
    response = client.post(
        "/hotline/", data={"service_code": "repair", "description": "漏水", "address_string": "x"}
    )
    assert response.status_code == 400 and "联系电话" in response.get_data(as_text=True)
    assert count(Ticket) == 0


def test_the_dispatcher_logs_dispatches_and_follows_up_on_pages(app, db):
    crew = staffed_team()
    _dispatcher, desk = signed_in(app, "dispatcher")
    logged = desk.post(
        "/hotline/desk/new",
        data={
            "service_code": "repair",
            "description": HOSTILE,
            "community_id": str(crew.community.id),
            "phone": "13800000000",
            "urgency": "urgent",
        },
    )
    assert logged.status_code == 302
    ticket_id = db.session.scalar(select(Ticket.id))
    page = desk.get(f"/hotline/desk/tickets/{ticket_id}").get_data(as_text=True)
    assert "推荐服务队" in page and crew.team.name in page and ESCAPED_SCRIPT in page
    desk.post(f"/hotline/desk/tickets/{ticket_id}/dispatch", data={"team_id": str(crew.team.id)})
    assert count(Ticket, Ticket.status == "dispatched") == 1
    team_client = app.test_client()
    team_client.post("/login", data={"username": crew.leader.username, "password": PASSWORD})
    assert f"#{ticket_id}" in team_client.get("/hotline/desk/team").get_data(as_text=True)
    team_client.post(f"/hotline/desk/tickets/{ticket_id}/accept")
    served = team_client.post(
        f"/hotline/desk/tickets/{ticket_id}/serve",
        data={"summary": "换了水龙头", "hours": "1.5", "member_ids": [str(crew.member.id)]},
    )
    assert served.status_code == 302
    desk.post(
        f"/hotline/desk/tickets/{ticket_id}/follow-up",
        data={"satisfaction": "4", "resolved": "yes", "note": "满意"},
    )
    desk.post(f"/hotline/desk/tickets/{ticket_id}/close")
    assert count(Ticket, Ticket.status == "closed") == 1
    again = desk.post(f"/hotline/desk/tickets/{ticket_id}/close", follow_redirects=True)
    assert "不能执行此操作" in again.get_data(as_text=True)


def test_queue_batch_and_dashboard_render_with_charts(app, db):
    crew = staffed_team()
    _dispatcher, desk = signed_in(app, "dispatcher")
    call(community_id=crew.community.id)
    queue = desk.get("/hotline/desk/?status=open").get_data(as_text=True)
    assert "便民维修" in queue
    batch = desk.get("/hotline/desk/batch").get_data(as_text=True)
    assert crew.team.name in batch and 'name="pair"' in batch
    pair = batch.split('name="pair" value="')[1].split('"')[0]
    desk.post("/hotline/desk/batch", data={"pair": [pair, "junk", "1:x"]})
    assert count(Ticket, Ticket.status == "dispatched") == 1
    _reviewer, review = signed_in(app, "reviewer")
    dashboard = review.get("/hotline/desk/dashboard?days=30")
    assert dashboard.status_code == 200 and dashboard.get_data(as_text=True).count("<svg") >= 3
    assert review.get("/hotline/desk/dashboard?days=7").status_code == 400
    assert review.post("/hotline/desk/batch").status_code == 403


def test_other_roles_and_outsiders_are_refused(app, db):
    crew = staffed_team()
    ticket = call()
    _unit, unit_client = signed_in(app, "unit")
    assert unit_client.get("/hotline/desk/").status_code == 403
    _staff, staff_client = signed_in(app, "community", community=crew.community)
    assert staff_client.get(f"/hotline/desk/tickets/{ticket.id}").status_code == 403
    assert staff_client.get("/hotline/desk/new").status_code == 403


def test_refused_serve_and_decline_forms_stay_on_the_ticket_with_the_input(app, db):
    crew = staffed_team()
    ticket = call(community_id=crew.community.id)
    hotline.dispatch_ticket(make_user("dispatcher"), ticket.id, crew.team.id)
    team_client = app.test_client()
    team_client.post("/login", data={"username": crew.leader.username, "password": PASSWORD})
    declined = team_client.post(f"/hotline/desk/tickets/{ticket.id}/decline", data={"reason": ""})
    page = declined.get_data(as_text=True)
    assert declined.status_code == 400 and f"#{ticket.id}" in page and "请填写" in page
    team_client.post(f"/hotline/desk/tickets/{ticket.id}/accept")
    served = team_client.post(
        f"/hotline/desk/tickets/{ticket.id}/serve",
        data={"summary": "", "hours": "2.5", "member_ids": [str(crew.member.id)]},
    )
    page = served.get_data(as_text=True)
    assert served.status_code == 400 and f"#{ticket.id}" in page
    assert "请填写服务情况" in page and 'value="2.5"' in page
    assert count(Ticket, Ticket.status == "accepted") == 1
