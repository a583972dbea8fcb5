"""The 大党委: members with posts and duties and both-way seats, their attendance at the
community's meetings, the API, and the two assessment parts with their weights."""

from datetime import date

import pytest

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.models import JointMeeting
from marketplace.services.accounts import issue_api_token
from marketplace.services.committee import committee, committee_attendance
from marketplace.services.funds import fund_entries
from marketplace.services.oversight import assessment, assessment_parts
from tests.factories import make_county, make_user
from tests.oversight_helpers import PairWorld

YEAR = clock.today().year


@pytest.fixture
def world(app):
    return PairWorld()


def appoint(world, **data):
    values = {
        "name": "陈立新",
        "origin": "unit_secretary",
        "from_unit_id": world.unit.id,
        "post": "共建协调委员",
        "duties": "牵头联系驻区单位",
        "secretary_seat": "兼职副书记",
        "joined_on": date(YEAR, 1, 1).isoformat(),
    }
    values.update(data)
    return committee.add_member(world.staff, values)


def meeting(db, world, held_on: date) -> JointMeeting:
    row = JointMeeting(
        level="community",
        county_id=make_county().id,
        community_id=world.community.id,
        held_on=held_on,
        theme="环境整治",
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_a_member_is_appointed_with_post_duties_and_the_seat_both_ways(world):
    member = appoint(world)
    police = appoint(world, name="马强", origin="police", from_unit_id="",
                     organisation="城关派出所", secretary_seat="")  # fmt: skip
    found = committee.read_committee(world.township_user, world.community.id)
    assert [m.name for m in found.members] == ["陈立新", "马强"]
    assert (member.from_label, member.secretary_seat) == (world.unit.name, "兼职副书记")
    assert police.from_label == "城关派出所"
    with pytest.raises(Forbidden):
        committee.read_committee(world.far_township_user, world.community.id)
    with pytest.raises(Forbidden):
        committee.add_member(world.unit_user, {"name": "x"})


def test_a_member_needs_a_post_duties_and_where_they_come_from(world):
    with pytest.raises(InvalidInput) as refused:
        appoint(world, post="", duties="", from_unit_id="", organisation="")
    assert set(refused.value.errors) == {"post", "duties", "organisation"}


def test_a_member_leaves_and_is_no_longer_invited(world, db):
    member = appoint(world)
    committee.end_member(world.staff, member.id, {"left_on": date(YEAR, 3, 1).isoformat()})
    with pytest.raises(Conflict):
        committee.end_member(world.staff, member.id, {})
    assert committee_attendance.invited_members(meeting(db, world, date(YEAR, 2, 1))) != []
    assert committee_attendance.invited_members(meeting(db, world, date(YEAR, 4, 1))) == []
    assert committee.committee_of(world.community.id).former == [member]


def test_attendance_is_recorded_by_the_host_and_becomes_the_units_rate(world, db):
    member = appoint(world)
    other = appoint(world, name="尹娟", origin="property", from_unit_id=world.second_unit.id)
    first, second = meeting(db, world, date(YEAR, 2, 1)), meeting(db, world, date(YEAR, 3, 1))
    committee_attendance.record_attendance(world.staff, first.id, [str(member.id)])
    committee_attendance.record_attendance(world.staff, second.id, [member.id, other.id])
    committee_attendance.record_attendance(world.staff, second.id, [member.id])  # replaced
    with pytest.raises(Forbidden):
        committee_attendance.record_attendance(world.other_staff, first.id, [member.id])
    with pytest.raises(InvalidInput):
        committee_attendance.record_attendance(world.staff, first.id, ["abc"])
    rates = assessment_parts.committee_attendance(YEAR)
    assert rates == {world.unit.id: 100.0, world.second_unit.id: 0.0}
    _meeting, rows = committee_attendance.attendance_of(world.staff, first.id)
    assert [(m.name, present) for m, present in rows] == [("陈立新", True), ("尹娟", False)]


def test_both_parts_appear_in_the_assessment_with_their_weights(world):
    fund_entries.enter_entry(
        world.unit_user, {"kind": "pledge", "community_id": world.community.id, "note": "承诺"}
    )
    fund_entries.enter_entry(
        world.unit_user,
        {
            "kind": "contribution",
            "community_id": world.community.id,
            "amount_yuan": 2500,
            "note": "到位",
        },
    )
    names = [part.name for part in assessment_parts.registered_parts()]
    assert {"pledge_fulfilment", "committee_attendance"} <= set(names)
    weights = assessment.weights(YEAR)
    assert (weights["pledge_fulfilment"], weights["committee_attendance"]) == (0.1, 0.1)
    score = next(s for s in assessment.assess(YEAR) if s.unit.id == world.unit.id)
    part = next(p for p in score.parts if p.name == "pledge_fulfilment")
    assert (part.label, part.value, part.weight, part.points) == ("帮扶经费到位率", 25.0, 0.1, 2.5)


def test_the_committee_api_lists_members_with_post_and_duties(world, client):
    appoint(world)
    reader = make_user("reviewer")
    response = client.get(
        f"/api/v1/communities/{world.community.id}/committee",
        headers={"Authorization": f"Bearer {issue_api_token(reader)}"},
    )
    assert response.status_code == 200
    (member,) = response.json["members"]
    assert member["name"] == "陈立新" and member["post"] == "共建协调委员"
    assert member["duties"] == "牵头联系驻区单位" and member["from_unit_id"] == world.unit.id
    unit_token = {"Authorization": f"Bearer {issue_api_token(world.unit_user)}"}
    path = f"/api/v1/communities/{world.community.id}/committee"
    assert client.get(path, headers=unit_token).status_code == 403


def test_the_committee_page_appoints_through_its_form(world, client):
    staff = make_user("community", community_id=world.community.id)
    client.post("/login", data={"username": staff.username, "password": "correct-horse-42"})
    assert "大党委" in client.get("/committee/").get_data(as_text=True)
    refused = client.post("/committee/members", data={"name": "王五", "origin": "police"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "请填写岗位" in text and 'value="王五"' in text
    made = client.post(
        "/committee/members",
        data={
            "name": "王五",
            "origin": "police",
            "organisation": "城关派出所",
            "post": "平安建设委员",
            "duties": "治安联防",
        },
    )
    assert made.status_code == 302
    assert "平安建设委员" in client.get("/committee/").get_data(as_text=True)
