"""The oversight API: pair activities, compliance, escalations, assessment — with role checks."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from marketplace.models import Escalation, PairActivity
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_need, make_unit
from tests.helpers.api import Api
from tests.oversight_helpers import PairWorld, publish_pairs


@pytest.fixture
def app_config():
    """Confirming without a photo: these tests are about the workflow, not its evidence."""
    return {"EVIDENCE_REQUIRED": ()}


@pytest.fixture
def world(app, client):
    world = PairWorld()
    world.need = make_need(community=world.community)
    world.api = {
        name: Api(client, getattr(world, name))
        for name in (
            "unit_user",
            "second_unit_user",
            "staff",
            "other_staff",
            "township_user",
            "far_township_user",
            "reviewer",
        )
    }
    world.api["anonymous"] = Api(client)
    return world


def _activity(**overrides):
    body = {"date": county_today().isoformat(), "kind": "party_day", "title": "主题党日"}
    body.update(overrides)
    return body


def test_log_and_confirm_a_pair_activity(world):
    api = world.api
    response = api["unit_user"].post(
        "/pair-activities", _activity(community_id=world.community.id, participants=20)
    )
    assert response.status_code == 201, response.json
    activity = response.json
    assert (activity["status"], activity["community_id"]) == ("logged", world.community.id)
    assert api["unit_user"].post(f"/pair-activities/{activity['id']}/confirm").status_code == 409
    assert api["other_staff"].post(f"/pair-activities/{activity['id']}/confirm").status_code == 403
    confirmed = api["staff"].post(f"/pair-activities/{activity['id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"


@pytest.mark.parametrize(
    ("who", "status"), [("reviewer", 403), ("township_user", 403), ("anonymous", 401)]
)
def test_only_pairs_log_activities(world, who, status, db):
    response = world.api[who].post("/pair-activities", _activity(community_id=world.community.id))
    assert response.status_code == status and response.json["error"]
    assert db.session.scalar(select(func.count()).select_from(PairActivity)) == 0


def test_bad_activity_answers_400_in_chinese(world):
    response = world.api["unit_user"].post(
        "/pair-activities", _activity(community_id=world.community.id, kind="x")
    )
    assert response.status_code == 400 and "活动形式" in response.json["error"]
    response = world.api["unit_user"].client.post(
        "/api/v1/pair-activities", data="oops", headers=world.api["unit_user"].headers
    )
    assert response.status_code == 400 and "JSON" in response.json["error"]


def test_compliance_for_reviewers_and_the_township_of_the_communities(world):
    world.api["unit_user"].post("/pair-activities", _activity(community_id=world.community.id))
    quarter = (county_today().month - 1) // 3 + 1
    response = world.api["reviewer"].get("/compliance", year=county_today().year, quarter=quarter)
    assert response.status_code == 200
    statuses = {(p["unit_id"], p["community_id"]): p["status"] for p in response.json["pairs"]}
    assert statuses[(world.unit.id, world.community.id)] == "logged"
    assert set(statuses.values()) <= {"confirmed", "logged", "missing", "running"}
    assert len(statuses) == 3
    mine = world.api["township_user"].get("/compliance").json["pairs"]
    assert len(mine) == 3
    assert world.api["far_township_user"].get("/compliance").json["pairs"] == []
    assert world.api["staff"].get("/compliance").status_code == 403
    assert world.api["reviewer"].get("/compliance", quarter=5).status_code == 400
    assert world.api["reviewer"].get("/compliance", year="abc").status_code == 400


def test_compliance_of_a_quarter_lists_the_pairs_in_force_then(world, db):
    """A pair published after a quarter ended is not listed for that quarter; the pairs it
    replaced on the quarter's first day are listed for it as not due."""
    year = county_today().year - 1
    newcomer = make_unit()
    publish_pairs([(newcomer, world.community)], datetime(year, 7, 1, tzinfo=UTC))
    before = world.api["reviewer"].get("/compliance", year=year, quarter=2).json["pairs"]
    after = world.api["reviewer"].get("/compliance", year=year, quarter=3).json["pairs"]
    assert {p["unit_id"] for p in before} == {
        world.unit.id,
        world.second_unit.id,
        world.other_unit.id,
    }
    statuses = {p["unit_id"]: p["status"] for p in after}
    assert statuses == {
        newcomer.id: "missing",
        world.unit.id: "not_due",
        world.second_unit.id: "not_due",
        world.other_unit.id: "not_due",
    }
    assert {p["status"] for p in before} == {"missing"}


def test_escalation_through_the_api(world, db):
    api = world.api
    assert (
        api["unit_user"].post(f"/needs/{world.need.id}/escalate", {"reason": "x"}).status_code
        == 403
    )
    assert (
        api["other_staff"].post(f"/needs/{world.need.id}/escalate", {"reason": "x"}).status_code
        == 403
    )
    response = api["staff"].post(f"/needs/{world.need.id}/escalate", {"reason": "无人认领"})
    assert response.status_code == 201 and response.json["level"] == "township"
    escalation_id = response.json["id"]
    assert (
        api["staff"].post(f"/needs/{world.need.id}/escalate", {"reason": "again"}).status_code
        == 409
    )
    queue = api["township_user"].get("/escalations").json
    assert [e["id"] for e in queue["results"]] == [escalation_id]
    assert api["reviewer"].get("/escalations").json["results"] == []
    assert (
        api["far_township_user"]
        .post(f"/escalations/{escalation_id}/assign", {"unit_id": world.unit.id})
        .status_code
        == 403
    )
    assert (
        api["staff"]
        .post(f"/escalations/{escalation_id}/assign", {"unit_id": world.unit.id})
        .status_code
        == 403
    )
    response = api["township_user"].post(
        f"/escalations/{escalation_id}/escalate", {"reason": "多部门"}
    )
    assert response.status_code == 200 and response.json["level"] == "county"
    assert [e["id"] for e in api["reviewer"].get("/escalations").json["results"]] == [escalation_id]
    response = api["reviewer"].post(
        f"/escalations/{escalation_id}/assign", {"unit_id": world.second_unit.id}
    )
    assert response.status_code == 200 and response.json["status"] == "assigned"
    response = api["second_unit_user"].post(
        f"/escalations/{escalation_id}/answer", {"accept": True}
    )
    assert response.status_code == 200 and response.json["status"] == "resolved"
    assert api["reviewer"].post("/escalations/999999/assign", {"unit_id": 1}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1


def test_assessment_is_for_reviewers(world):
    response = world.api["reviewer"].get("/assessment", year=county_today().year)
    assert response.status_code == 200
    units = response.json["units"]
    assert {u["unit_id"] for u in units} >= {world.unit.id, world.second_unit.id}
    for unit in units:
        assert unit["score"] == pytest.approx(sum(p["value"] * p["weight"] for p in unit["parts"]))
        assert unit["rank"] >= 1 and isinstance(unit["eligible"], bool)
    for who in ("unit_user", "staff", "township_user"):
        assert world.api[who].get("/assessment").status_code == 403
    assert world.api["anonymous"].get("/assessment").status_code == 401
    assert world.api["reviewer"].get("/assessment", year="1800").status_code == 400
