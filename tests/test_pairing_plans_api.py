"""The pairing-plan JSON API: reviewer tokens only for writes, workflow order, published pairs."""

from collections import Counter

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import PairingPlan, User
from marketplace.services.accounts import issue_api_token


def _headers(username: str) -> dict:
    user = db.session.scalar(select(User).where(User.username == username))
    return {"Authorization": f"Bearer {issue_api_token(user, 'test')}"}


def test_reviewer_api_flow(demo_client):
    first, second = _headers("reviewer"), _headers("reviewer2")
    response = demo_client.post(
        "/api/v1/pairing-plans",
        json={"title": "接口方案", "weights": {"coverage": 1}},
        headers=first,
    )
    assert response.status_code == 201, response.json
    plan = response.json
    assert plan["status"] == "draft" and len(plan["pairs"]) == 88
    assert set(Counter(p["community_id"] for p in plan["pairs"]).values()) == {8}
    assert plan["inputs"]["weights"]["coverage"] == 1
    url = f"/api/v1/pairing-plans/{plan['id']}"
    detail = demo_client.get(url, headers=first).json
    assert {"coverage", "proximity", "continuity", "score"} <= set(detail["pairs"][0])

    assert demo_client.get(url, headers=_headers("community01")).status_code == 404  # a draft
    assert demo_client.post(f"{url}/publish", headers=second).status_code == 409
    assert demo_client.post(f"{url}/submit", headers=first).status_code == 200
    assert demo_client.post(f"{url}/approve", headers=first).status_code == 403
    assert demo_client.post(f"{url}/approve", headers=second).json["status"] == "approved"
    assert demo_client.post(f"{url}/publish", headers=second).json["status"] == "published"
    again = demo_client.post(f"{url}/publish", headers=second)
    assert again.status_code == 409 and "error" in again.json

    community_id = plan["pairs"][0]["community_id"]
    pairs = demo_client.get(f"/api/v1/communities/{community_id}/pairs", headers=_headers("unit01"))
    expected = {p["unit_id"] for p in plan["pairs"] if p["community_id"] == community_id}
    assert {unit["id"] for unit in pairs.json["units"]} == expected
    assert pairs.json["plan_id"] == plan["id"]
    assert demo_client.get(url, headers=_headers("community01")).json["status"] == "published"


@pytest.mark.parametrize("username", ["community01", "unit01", "admin"])
def test_non_reviewer_tokens_are_refused(demo_client, username):
    headers = _headers(username)
    plan_id = db.session.scalar(select(PairingPlan.id).limit(1))
    assert demo_client.post("/api/v1/pairing-plans", json={}, headers=headers).status_code == 403
    for action in ("submit", "approve", "publish"):
        response = demo_client.post(f"/api/v1/pairing-plans/{plan_id}/{action}", headers=headers)
        assert response.status_code == 403
    assert demo_client.post("/api/v1/pairing-plans", json={}).status_code == 401


def test_api_reports_infeasible_and_bad_input(demo_client):
    headers = _headers("reviewer")
    response = demo_client.post(
        "/api/v1/pairing-plans", json={"quotas": {"default": {"min": 9, "max": 9}}}, headers=headers
    )
    assert response.status_code == 422 and response.json["error"]
    for body in ({"quotas": []}, {"weights": {"coverage": -1}}, {"pinned": [["x"]]}):
        response = demo_client.post("/api/v1/pairing-plans", json=body, headers=headers)
        assert response.status_code == 400 and response.json["error"], body
    response = demo_client.post("/api/v1/pairing-plans", data="nope", headers=headers)
    assert response.status_code == 400
    assert db.session.scalar(select(PairingPlan.id).where(PairingPlan.version == 2)) is None


def test_api_shows_blocking_pairs_and_the_stable_plan(demo_client):
    first = _headers("reviewer")
    uncapped = {"max_change_share": 1, "change_reason": "比较不设上限的最优方案与稳定方案"}
    plan = demo_client.post("/api/v1/pairing-plans", json=uncapped, headers=first).json
    url = f"/api/v1/pairing-plans/{plan['id']}"
    detail = demo_client.get(url, headers=first).json
    paired = {(p["unit_id"], p["community_id"]) for p in detail["pairs"]}
    blocking = detail["blocking_pairs"]
    assert blocking and {"unit", "community", "score"} <= set(blocking[0])
    assert not paired & {(b["unit_id"], b["community_id"]) for b in blocking}
    stable = demo_client.get(f"{url}/stable?proposing=communities", headers=first).json
    assert stable["proposing"] == "communities" and stable["stable_blocking_pairs"] == []
    assert len(stable["plan_blocking_pairs"]) == len(blocking)
    assert stable["stable_total"] < stable["plan_total"]  # the optimum, uncapped, scores more
    assert stable["cap_explains_gap"] is False
    bad = demo_client.get(f"{url}/stable?proposing=x", headers=first)
    assert bad.status_code == 400 and "提议方" in bad.json["error"]
    assert demo_client.get(f"{url}/stable", headers=_headers("community01")).status_code == 403
