"""Joint meetings: recording with attendance, the drafted agenda, action items, the matrix."""

from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.extensions import db as _db
from marketplace.models import JointMeeting
from marketplace.services.oversight import escalations, meeting_reports, meetings
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_need
from tests.oversight_helpers import PairWorld


@pytest.fixture
def world(app):
    return PairWorld()


def _record(actor, **overrides):
    data = {"held_on": county_today().isoformat(), "theme": "环境整治", "present": []}
    data.update(overrides)
    return meetings.record_meeting(actor, data)


def test_community_meeting_invites_its_pairs_and_records_who_came(world):
    meeting = _record(world.staff, present=[str(world.unit.id)], next_theme="扶贫助困")
    assert meeting.level == "community" and meeting.community_id == world.community.id
    attendance = {row.unit_id: row.present for row in meeting.attendance}
    assert attendance == {world.unit.id: True, world.second_unit.id: False}
    assert meeting.next_theme == "扶贫助困"


def test_township_meeting_invites_the_pairs_of_all_its_communities(world):
    meeting = _record(world.township_user)
    assert meeting.level == "township" and meeting.township_id == world.township.id
    assert {row.unit_id for row in meeting.attendance} == {
        world.unit.id,
        world.second_unit.id,
        world.other_unit.id,
    }
    assert _record(world.reviewer).level == "county"


def test_bad_meetings_are_refused(world):
    with pytest.raises(InvalidInput, match="受邀"):
        _record(world.staff, present=[str(world.other_unit.id)])
    with pytest.raises(InvalidInput, match="会议主题"):
        _record(world.staff, theme="")
    tomorrow = (county_today() + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        _record(world.staff, held_on=tomorrow)
    with pytest.raises(Forbidden):
        _record(world.unit_user)


def test_agenda_lists_stale_needs_and_open_escalations(world):
    stale = make_need(community=world.community, title="老旧小区清洁")
    stale.created_at = datetime.now(UTC) - timedelta(days=40)
    other = make_need(community=world.community, title="法律咨询")
    _db.session.commit()
    escalations.escalate_need(world.staff, other.id, {"reason": "无人认领"})
    agenda = meetings.draft_agenda(world.staff)
    assert [n["title"] for n in agenda["stale_needs"]] == ["老旧小区清洁"]
    assert [e["title"] for e in agenda["escalations"]] == ["法律咨询"]
    meeting = _record(world.staff)
    assert meeting.agenda["stale_needs"][0]["need_id"] == stale.id


def test_action_items_are_added_by_the_host_and_closed_by_the_owner(world):
    meeting = _record(world.staff)
    with pytest.raises(Forbidden):
        meetings.add_action_item(world.township_user, meeting.id, {"title": "x", "owner_name": "y"})
    with pytest.raises(InvalidInput, match="受邀"):
        meetings.add_action_item(
            world.staff, meeting.id, {"title": "x", "owner_unit_id": world.other_unit.id}
        )
    item = meetings.add_action_item(
        world.staff,
        meeting.id,
        {"title": "协调活动场地", "owner_unit_id": world.unit.id, "due_on": "2026-12-20"},
    )
    with pytest.raises(Forbidden):
        meetings.complete_action_item(world.second_unit_user, item.id)
    assert meetings.complete_action_item(world.unit_user, item.id).status == "done"
    with pytest.raises(Conflict):
        meetings.complete_action_item(world.staff, item.id)


def test_an_action_item_escalates_to_the_township(world):
    meeting = _record(world.staff)
    item = meetings.add_action_item(
        world.staff, meeting.id, {"title": "整改", "owner_name": "网格员"}
    )
    escalation = escalations.escalate_action_item(world.staff, item.id, {"reason": "难以协调"})
    assert escalation.action_item_id == item.id and item.status == "escalated"
    with pytest.raises(Conflict):
        escalations.escalate_action_item(world.staff, item.id, {"reason": "再次"})


def test_meeting_visibility(world):
    meeting = _record(world.staff)
    assert meetings.get_meeting(world.township_user, meeting.id) == meeting
    assert meetings.get_meeting(world.unit_user, meeting.id) == meeting
    for outsider in (world.other_staff, world.far_township_user, world.other_unit_user):
        with pytest.raises(Forbidden):
            meetings.get_meeting(outsider, meeting.id)


def test_meeting_matrix_marks_held_missing_running_future(world):
    for host, day in ((world.community, date(2025, 1, 15)), (world.community, date(2025, 3, 2))):
        _db.session.add(
            JointMeeting(
                level="community",
                county_id=world.township.county_id,
                community_id=host.id,
                held_on=day,
                theme="t",
                agenda={},
            )
        )
    _db.session.commit()
    rows = meeting_reports.meeting_matrix(world.township_user, 2025, today=date(2025, 4, 10))
    assert [(r.kind, r.id) for r in rows] == [
        ("township", world.township.id),
        ("community", world.community.id),
        ("community", world.other_community.id),
    ]
    cells = rows[1].cells
    assert (cells[1], cells[2], cells[3], cells[4], cells[5]) == (
        "held",
        "missing",
        "held",
        "running",
        "future",
    )
    assert rows[0].cells[1] == "missing"
