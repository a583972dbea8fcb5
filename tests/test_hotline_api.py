"""志愿服务110 API: Open311 shape, public intake without a token, staff steps by role and state."""

import pytest

from marketplace.services.accounts import issue_api_token
from tests.factories import make_community, make_user
from tests.hotline_helpers import call, staffed_team


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


def request_body(**overrides) -> dict:
    values = {
        "service_code": "cleanup",
        "description": "楼道堆满杂物",
        "phone": "13700002222",
        "first_name": "王先生",
        "address_string": "建设路 12 号",
    }
    values.update(overrides)
    return values


def test_services_list_in_open311_shape(app, client):
    services = client.get("/api/v1/hotline/services").json
    assert {"service_code", "service_name", "description"} == set(services[0])
    assert "repair" in {s["service_code"] for s in services}


def test_anyone_posts_a_request_and_reads_its_status_without_personal_data(app, client):
    created = client.post("/api/v1/hotline/requests", json=request_body())
    assert created.status_code == 201
    (answer,) = created.json
    request_id = answer["service_request_id"]
    assert isinstance(request_id, str)
    (shown,) = client.get(f"/api/v1/hotline/requests/{request_id}").json
    assert shown["status"] == "open" and shown["agency_responsible"] == "志愿服务指挥中心"
    assert (
        shown["requested_datetime"]
        and shown["updated_datetime"]
        and "接听登记" in shown["status_notes"]
    )
    text = str(shown)
    assert "13700002222" not in text and "王先生" not in text and "建设路" not in text
    (staff_view,) = client.get(
        f"/api/v1/hotline/requests/{request_id}", headers=bearer(make_user("dispatcher"))
    ).json
    assert staff_view["phone"] == "13700002222"


def test_intake_needs_a_phone_and_a_place(app, client):
    missing = client.post("/api/v1/hotline/requests", json=request_body(phone=""))
    assert missing.status_code == 400 and missing.json["field"] == "phone"
    nowhere = client.post("/api/v1/hotline/requests", json=request_body(address_string=""))
    assert nowhere.status_code == 400
    community = make_community()
    placed = client.post(
        "/api/v1/hotline/requests", json=request_body(address_string="", community_id=community.id)
    )
    assert placed.status_code == 201


def test_online_intake_is_limited_per_address(app, client):
    app.config["HOTLINE_ONLINE_PER_HOUR"] = 3
    codes = [
        client.post("/api/v1/hotline/requests", json=request_body()).status_code for _ in range(5)
    ]
    assert codes == [201, 201, 201, 429, 429]
    other = client.post(
        "/api/v1/hotline/requests", json=request_body(), environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 201
    # a dispatcher logging calls is not limited
    token = bearer(make_user("dispatcher"))
    assert (
        client.post("/api/v1/hotline/requests", json=request_body(), headers=token).status_code
        == 201
    )


def test_staff_steps_through_the_api(app, client):
    crew = staffed_team()
    dispatcher = bearer(make_user("dispatcher"))
    leader = bearer(crew.leader)
    ticket_id = call(community_id=crew.community.id).id
    base = f"/api/v1/hotline/requests/{ticket_id}"
    suggestions = client.get(f"{base}/suggestions", headers=dispatcher).json
    assert suggestions[0]["team_id"] == crew.team.id and "同社区" in suggestions[0]["reason"]
    assert {"team_id", "name", "community_id", "reason"} <= set(suggestions[0])
    assert (
        client.post(
            f"{base}/dispatch", json={"team_id": crew.team.id}, headers=dispatcher
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{base}/dispatch", json={"team_id": crew.team.id}, headers=dispatcher
        ).status_code
        == 409
    )
    assert client.post(f"{base}/accept", headers=leader).json["workflow_status"] == "accepted"
    served = client.post(
        f"{base}/serve",
        json={"summary": "清理楼道", "hours": 3, "member_ids": [crew.member.id]},
        headers=bearer(crew.co_leader.user),
    )
    assert served.status_code == 200 and served.json["workflow_status"] == "served"
    follow = client.post(
        f"{base}/follow-up", json={"satisfaction": 5, "resolved": True}, headers=dispatcher
    )
    assert follow.status_code == 200
    closed = client.post(f"{base}/close", headers=dispatcher).json
    assert closed["status"] == "closed"
    assert client.get(base).json[0]["status"] == "closed"


@pytest.mark.parametrize(
    ("step", "roles"),
    [
        ("suggestions", ("dispatcher",)),
        ("dispatch", ("dispatcher",)),
        ("accept", ("community", "member")),
        ("decline", ("community", "member")),
        ("serve", ("community", "member")),
        ("follow-up", ("dispatcher",)),
        ("close", ("dispatcher",)),
    ],
)
def test_each_step_refuses_other_roles_and_anonymous(app, client, step, roles):
    ticket_id = call().id
    url = f"/api/v1/hotline/requests/{ticket_id}/{step}"
    method = client.get if step == "suggestions" else client.post
    assert method(url, json={}).status_code == 401
    for role in ("unit", "reviewer", "admin", "township", "dispatcher", "community"):
        if role in roles:
            continue
        response = method(url, json={}, headers=bearer(make_user(role)))
        assert response.status_code == 403, (role, step)
        assert "error" in response.json


def test_a_community_user_who_does_not_lead_the_team_gets_403(app, client):
    crew = staffed_team()
    ticket_id = call().id
    client.post(
        f"/api/v1/hotline/requests/{ticket_id}/dispatch",
        json={"team_id": crew.team.id},
        headers=bearer(make_user("dispatcher")),
    )
    outsider = make_user("community", community=crew.community)
    response = client.post(f"/api/v1/hotline/requests/{ticket_id}/accept", headers=bearer(outsider))
    assert response.status_code == 403
    declined = client.post(
        f"/api/v1/hotline/requests/{ticket_id}/decline",
        json={"reason": "人手不足"},
        headers=bearer(crew.leader),
    )
    assert declined.status_code == 200 and declined.json["workflow_status"] == "received"
