"""微心愿 API: the public wall (masked, no address), posting, claim/fulfil/confirm and roles."""

from datetime import timedelta

import pytest

from marketplace import clock
from marketplace.services.accounts import issue_api_token
from tests.factories import make_member, make_unit, make_user


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


def body(**overrides) -> dict:
    values = {
        "title": "一副老花镜",
        "description": "老人看报需要",
        "value_yuan": 60,
        "resident_name": "李桂兰",
        "deadline": (clock.today() + timedelta(days=14)).isoformat(),
        "status": "confirmed",  # extra fields are ignored
        "claimer_user_id": 1,
    }
    values.update(overrides)
    return values


def test_staff_post_anyone_reads_the_wall_masked(app, client):
    staff = make_user("community")
    created = client.post("/api/v1/wishes", json=body(), headers=bearer(staff))
    assert created.status_code == 201, created.json
    assert created.json["status"] == "open" and created.json["resident"] == "李**"
    listed = client.get(f"/api/v1/wishes?status=open&community_id={staff.community_id}").json
    assert listed["total"] == 1
    text = str(listed)
    assert "李桂兰" not in text and "address" not in text and staff.community.address not in text
    assert client.get("/api/v1/wishes?status=claimed").json["total"] == 0
    assert client.get("/api/v1/wishes?status=nonsense").status_code == 400
    assert client.get("/api/v1/wishes?community_id=abc").status_code == 400


@pytest.mark.parametrize("role", ["unit", "member", "dispatcher", "reviewer", None])
def test_only_staff_tokens_post(app, client, role):
    headers = {} if role is None else bearer(make_user(role))
    response = client.post("/api/v1/wishes", json=body(), headers=headers)
    assert response.status_code == (401 if role is None else 403)
    assert "error" in response.json


def test_over_the_cap_is_a_400_with_the_field(app, client):
    response = client.post(
        "/api/v1/wishes", json=body(value_yuan=1000), headers=bearer(make_user("community"))
    )
    assert response.status_code == 400 and response.json["field"] == "value_yuan"


def test_claim_fulfil_confirm_through_the_api(app, client):
    staff = make_user("community")
    wish_id = client.post("/api/v1/wishes", json=body(), headers=bearer(staff)).json["id"]
    member = make_member()
    claimed = client.post(f"/api/v1/wishes/{wish_id}/claim", headers=bearer(member.user))
    assert claimed.status_code == 201 and claimed.json["status"] == "claimed"
    again = client.post(f"/api/v1/wishes/{wish_id}/claim", headers=bearer(make_user("unit")))
    assert again.status_code == 409 and "已被认领" in again.json["error"]
    assert client.post(f"/api/v1/wishes/{wish_id}/claim", headers=bearer(staff)).status_code == 403
    other = client.post(
        f"/api/v1/wishes/{wish_id}/fulfil", json={"note": "x"}, headers=bearer(make_member().user)
    )
    assert other.status_code == 403
    done = client.post(
        f"/api/v1/wishes/{wish_id}/fulfil", json={"note": "已送达"}, headers=bearer(member.user)
    )
    assert done.status_code == 200 and done.json["status"] == "fulfilled"
    assert (
        client.post(f"/api/v1/wishes/{wish_id}/confirm", headers=bearer(member.user)).status_code
        == 403
    )
    confirmed = client.post(
        f"/api/v1/wishes/{wish_id}/confirm", json={"thanks": "谢谢"}, headers=bearer(staff)
    )
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    assert confirmed.json["thanks"] == "谢谢"
    public = client.get(f"/api/v1/wishes/{wish_id}").json
    assert member.name not in str(public) and member.phone not in str(public)


def test_unknown_wish_is_404_and_a_unit_claim_is_201(app, client):
    assert client.get("/api/v1/wishes/999999").status_code == 404
    staff = make_user("community")
    wish_id = client.post("/api/v1/wishes", json=body(), headers=bearer(staff)).json["id"]
    secretary = make_user("unit", unit=make_unit())
    response = client.post(f"/api/v1/wishes/{wish_id}/claim", headers=bearer(secretary))
    assert response.status_code == 201 and response.json["claimer"] == secretary.unit.name
