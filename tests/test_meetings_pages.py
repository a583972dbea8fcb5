"""The joint-meeting pages: attendance starts unticked, refused item forms stay in place."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import ActionItem, Escalation, JointMeeting
from marketplace.services.oversight import meetings
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_unit
from tests.oversight_helpers import publish_pairs


def _hosted_meeting(login_as):
    staff = login_as("community")
    unit = make_unit(name="县供电公司")
    publish_pairs([(unit, staff.community)])
    meeting = meetings.record_meeting(
        staff, {"held_on": county_today().isoformat(), "theme": "环境整治", "present": [unit.id]}
    )
    return staff, unit, meeting


def test_attendance_starts_with_nobody_ticked(app, client, login_as):
    staff = login_as("community")
    unit = make_unit(name="县供电公司")
    publish_pairs([(unit, staff.community)])
    page = client.get("/meetings/new").get_data(as_text=True)
    box = page[page.index(f'id="u{unit.id}"') - 120 : page.index(f'id="u{unit.id}"') + 40]
    assert 'name="present"' in box and "checked" not in box
    data = {"held_on": county_today().isoformat(), "theme": "环境整治"}
    assert client.post("/meetings/new", data=data).status_code == 302
    meeting = db.session.scalar(select(JointMeeting))
    assert [row.present for row in meeting.attendance] == [False]
    response = client.post("/meetings/new", data={"held_on": "", "theme": "", "present": unit.id})
    ticked = response.get_data(as_text=True)
    box = ticked[ticked.index(f'id="u{unit.id}"') - 120 : ticked.index(f'id="u{unit.id}"') + 40]
    assert response.status_code == 400 and "checked" in box  # the user's own tick is kept


def test_action_item_without_owner_is_refused_in_place(app, client, login_as):
    _staff, unit, meeting = _hosted_meeting(login_as)
    url = f"/meetings/{meeting.id}/items"
    response = client.post(
        url, data={"title": "清理楼道杂物", "owner_unit_id": "", "owner_name": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请选择责任单位或填写责任人。" in page and 'value="清理楼道杂物"' in page
    assert "环境整治" in page  # still the meeting's page
    assert db.session.scalars(select(ActionItem)).all() == []
    response = client.post(url, data={"title": "清理楼道杂物", "owner_unit_id": unit.id})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/meetings/{meeting.id}"
    )
    item = db.session.scalar(select(ActionItem))
    assert item.owner_unit_id == unit.id


def test_item_owner_list_starts_on_no_unit(app, client, login_as):
    _staff, unit, meeting = _hosted_meeting(login_as)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    owner = page[
        page.index('name="owner_unit_id"') : page.index(
            "</select>", page.index('name="owner_unit_id"')
        )
    ]
    assert "selected" not in owner and unit.name in owner


def test_item_escalation_without_reason_is_refused_beside_its_item(app, client, login_as):
    staff, _unit, meeting = _hosted_meeting(login_as)
    item = meetings.add_action_item(staff, meeting.id, {"title": "道路硬化", "owner_name": "张三"})
    response = client.post(f"/meetings/items/{item.id}/escalate", data={"reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写上报原因" in page and "道路硬化" in page
    assert db.session.scalars(select(Escalation)).all() == []
    response = client.post(f"/meetings/items/{item.id}/escalate", data={"reason": "需多部门协调"})
    assert response.status_code == 302
    assert "/escalations/" in response.headers["Location"]
