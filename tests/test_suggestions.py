"""Suggested counterparts while posting: units for needs, needs for offers."""

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden
from marketplace.models import AuditEntry, Notification, PairingPlan, PlanPair
from marketplace.services.accounts import issue_api_token
from marketplace.services.exchange import claims, suggestions
from tests.factories import (
    make_community,
    make_need,
    make_offer,
    make_unit,
    make_user,
    service_type,
)


@pytest.fixture
def county(db):
    """A community, and units offering legal advice / legal aid / nothing, near and far."""
    home = make_community(latitude=31.00, longitude=113.70)
    staff = make_user("community", community=home)
    near = make_unit(name="近处律所", latitude=31.005, longitude=113.705)
    far = make_unit(name="远处律所", latitude=31.30, longitude=114.00)
    paired_far = make_unit(name="结对单位", latitude=31.25, longitude=113.95)
    aid = make_unit(name="法援中心", latitude=31.001, longitude=113.701)
    idle = make_unit(name="无关单位", latitude=31.0, longitude=113.7)
    for unit in (near, far, paired_far):
        make_offer(
            unit=unit, title=f"{unit.name}法律咨询", service_type=service_type("legal_advice")
        )
    make_offer(unit=aid, title="法律援助", service_type=service_type("legal_aid"))
    make_offer(unit=idle, title="义诊", service_type=service_type("free_clinic"))
    plan = PairingPlan(county_id=paired_far.county_id, version=1, status="published")
    plan.pairs.append(PlanPair(unit_id=paired_far.id, community_id=home.id))
    db.session.add(plan)
    db.session.commit()
    need = make_need(
        community=home, service_type=service_type("legal_advice"), title="法律咨询进社区"
    )
    return staff, need


def test_same_type_first_then_paired_then_nearest(county):
    _staff, need = county
    ranked = suggestions.suggested_units(need)
    assert [s.unit.name for s in ranked] == ["结对单位", "近处律所", "远处律所", "法援中心"]
    assert [s.match for s in ranked] == [0, 0, 0, 1]
    assert ranked[0].paired and not ranked[1].paired
    assert ranked[1].distance_km < 1 < ranked[2].distance_km


def test_inviting_a_unit_notifies_its_staff_and_is_audited(db, county):
    staff, need = county
    target = suggestions.suggested_units(need)[1].unit
    secretary = make_user("unit", unit=target)
    suggestions.invite_unit(staff, need.id, target.id)
    notes = db.session.scalars(select(Notification).where(Notification.user_id == secretary.id))
    assert [n.kind for n in notes] == ["need_invitation"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "need.invite"))
    assert entry.object_id == need.id and target.name in entry.detail


def test_the_same_invitation_is_sent_once(db, county):
    """Regression: inviting the same unit twice answered 201 both times and notified twice."""
    staff, need = county
    target = suggestions.suggested_units(need)[1].unit
    secretary = make_user("unit", unit=target)
    suggestions.invite_unit(staff, need.id, target.id)
    with pytest.raises(Conflict, match="已邀请过"):
        suggestions.invite_unit(staff, need.id, target.id)
    notes = db.session.scalars(select(Notification).where(Notification.user_id == secretary.id))
    assert [n.kind for n in notes] == ["need_invitation"]


def test_invitations_are_refused_when_not_yours_or_not_open(db, county):
    staff, need = county
    target = suggestions.suggested_units(need)[0].unit
    with pytest.raises(Forbidden):
        suggestions.invite_unit(make_user("community"), need.id, target.id)
    claims.claim_need(make_user("unit", unit=target), need.id, 2)
    with pytest.raises(Conflict, match="已认领"):
        suggestions.invite_unit(staff, need.id, target.id)
    claims.claim_need(make_user("unit"), need.id, need.quantity - 2)
    with pytest.raises(Conflict, match="没有可认领"):
        suggestions.invite_unit(staff, need.id, make_unit().id)


def test_posting_through_the_api_returns_suggested_units(app, county):
    staff, need = county
    client = app.test_client()
    headers = {"Authorization": f"Bearer {issue_api_token(staff)}"}
    body = {"type_id": need.type_id, "title": "再来一次法律咨询", "quantity": 3}
    created = client.post("/api/v1/needs", json=body, headers=headers)
    assert created.status_code == 201
    names = [s["unit"] for s in created.get_json()["suggested_units"]]
    assert names[:3] == ["结对单位", "近处律所", "远处律所"]
    first = created.get_json()["suggested_units"][0]
    assert first["match"] == "type" and first["paired"] is True
    invited = client.post(
        f"/api/v1/needs/{created.get_json()['id']}/invitations",
        json={"unit_id": first["unit_id"]},
        headers=headers,
    )
    assert invited.status_code == 201
    again = client.post(
        f"/api/v1/needs/{created.get_json()['id']}/invitations",
        json={"unit_id": first["unit_id"]},
        headers=headers,
    )
    assert again.status_code == 409 and "已邀请过" in again.get_json()["error"]
    missing = client.post(
        f"/api/v1/needs/{created.get_json()['id']}/invitations", json={}, headers=headers
    )
    assert missing.status_code == 404 and "单位不存在" in missing.get_json()["error"]


def test_the_need_page_shows_suggestions_with_one_click_invite(app, client, county):
    staff, need = county
    client.post("/login", data={"username": staff.username, "password": "correct-horse-42"})
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "推荐单位" in page and "结对单位" in page and "邀请认领" in page
    unit_id = suggestions.suggested_units(need)[0].unit.id
    answer = client.post(f"/community/needs/{need.id}/invite/{unit_id}")
    assert answer.status_code == 302
    assert "已邀请" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_new_offer_lists_the_open_needs_it_could_serve(app, client, county):
    _staff, need = county
    other = make_need(service_type=service_type("legal_aid"), title="法律援助需求")
    make_need(service_type=service_type("free_clinic"), title="义诊需求")
    secretary = make_user("unit")
    headers = {"Authorization": f"Bearer {issue_api_token(secretary)}"}
    body = {"kind": "service", "type_id": need.type_id, "title": "法律咨询", "monthly_quantity": 2}
    created = client.post("/api/v1/offers", json=body, headers=headers)
    assert created.status_code == 201
    served = [item["need_id"] for item in created.get_json()["matching_needs"]]
    assert served == [need.id, other.id]
    client.post("/login", data={"username": secretary.username, "password": "correct-horse-42"})
    page = client.get(f"/offers/{created.get_json()['id']}").get_data(as_text=True)
    assert "可以回应的需求" in page and "法律咨询进社区" in page and "义诊需求" not in page
