"""Escalation and coordinated assignment: community → township → county, unit answers."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.extensions import db as _db
from marketplace.models import AuditEntry, Claim, Escalation, Notification
from marketplace.services.oversight import escalation_queues, escalations
from tests.factories import make_need
from tests.oversight_helpers import PairWorld


@pytest.fixture
def world(app):
    world = PairWorld()
    world.need = make_need(community=world.community, title="困难家庭帮扶", quantity=4)
    return world


def _escalate(world):
    return escalations.escalate_need(world.staff, world.need.id, {"reason": "多次发动无人认领"})


def _count(model, *where):
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_community_escalates_to_its_township(world):
    escalation = _escalate(world)
    assert (escalation.level, escalation.status) == ("township", "open")
    assert escalation.township_id == world.township.id
    queue = escalation_queues.queue_page(world.township_user).items
    assert [e.id for e in queue] == [escalation.id]
    assert escalation_queues.queue_page(world.far_township_user).items == []
    assert escalation_queues.queue_page(world.reviewer).items == []
    assert _count(Notification, Notification.user_id == world.township_user.id) == 1


def test_escalating_twice_or_someone_elses_need_is_refused(world):
    _escalate(world)
    with pytest.raises(Conflict, match="已经上报"):
        _escalate(world)
    with pytest.raises(Forbidden):
        escalations.escalate_need(world.other_staff, world.need.id, {"reason": "x"})
    with pytest.raises(InvalidInput, match="请填写上报理由"):
        escalations.escalate_need(world.staff, world.need.id, {"reason": " "})
    assert _count(Escalation) == 1


def test_township_assigns_and_the_unit_accepts_with_a_claim(world):
    escalation = _escalate(world)
    escalations.assign(world.township_user, escalation.id, {"unit_id": world.second_unit.id})
    assert escalation_queues.queue_page(world.second_unit_user).items[0].status == "assigned"
    with pytest.raises(Forbidden):
        escalations.answer(world.unit_user, escalation.id, {"accept": True})
    escalations.answer(world.second_unit_user, escalation.id, {"accept": True, "note": "可承接"})
    _db.session.expire_all()
    assert _db.session.get(Escalation, escalation.id).status == "resolved"
    claim = _db.session.scalar(select(Claim).where(Claim.need_id == world.need.id))
    assert (claim.unit_id, claim.quantity, claim.status) == (world.second_unit.id, 4, "proposed")
    actions = _db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "escalation")
    ).all()
    assert actions == ["escalation.create", "escalation.assign", "escalation.accept"]


def test_unit_explains_why_not_and_it_returns_to_the_queue(world):
    escalation = _escalate(world)
    escalations.assign(world.township_user, escalation.id, {"unit_id": world.unit.id})
    with pytest.raises(InvalidInput, match="说明"):
        escalations.answer(world.unit_user, escalation.id, {"accept": False})
    escalations.answer(world.unit_user, escalation.id, {"accept": False, "note": "人手不足"})
    _db.session.expire_all()
    refused = _db.session.get(Escalation, escalation.id)
    assert (refused.status, refused.assigned_unit_id, refused.unit_answer) == (
        "open",
        None,
        "人手不足",
    )
    assert _count(Claim) == 0


def test_township_passes_it_to_the_county_whose_reviewers_assign(world):
    escalation = _escalate(world)
    with pytest.raises(Forbidden):
        escalations.escalate_to_county(world.far_township_user, escalation.id, {"reason": "x"})
    with pytest.raises(Conflict, match="乡镇"):
        escalations.assign(world.reviewer, escalation.id, {"unit_id": world.unit.id})
    escalations.escalate_to_county(world.township_user, escalation.id, {"reason": "涉及多部门"})
    assert escalation_queues.queue_page(world.township_user).items == []
    assert [e.id for e in escalation_queues.queue_page(world.reviewer).items] == [escalation.id]
    with pytest.raises(Conflict):
        escalations.assign(world.township_user, escalation.id, {"unit_id": world.unit.id})
    escalations.assign(world.reviewer, escalation.id, {"unit_id": world.other_unit.id})
    _db.session.expire_all()
    assert _db.session.get(Escalation, escalation.id).assigned_unit_id == world.other_unit.id


def test_assigning_twice_is_refused_by_state(world):
    escalation = _escalate(world)
    escalations.assign(world.township_user, escalation.id, {"unit_id": world.unit.id})
    with pytest.raises(Conflict, match="已指派"):
        escalations.assign(world.township_user, escalation.id, {"unit_id": world.second_unit.id})
    with pytest.raises(InvalidInput, match="承接单位"):
        escalations.assign(world.township_user, escalation.id, {"unit_id": "x"})


def test_community_withdraws_and_may_escalate_again(world):
    escalation = _escalate(world)
    escalations.withdraw(world.staff, escalation.id)
    with pytest.raises(Conflict):
        escalations.withdraw(world.staff, escalation.id)
    assert _escalate(world).id != escalation.id


def test_queue_ages_and_time_limits(world):
    escalation = _escalate(world)
    escalation.level_since = datetime.now(UTC) - timedelta(days=9)
    _db.session.commit()
    assert escalation_queues.age_days(escalation) == 9
    assert escalation_queues.time_limit("township") == 7
    assert escalation_queues.is_overdue(escalation)


def test_stale_needs_are_suggested_once(world):
    world.need.created_at = datetime.now(UTC) - timedelta(days=31)
    fresh = make_need(community=world.community)
    _db.session.commit()
    assert [n.id for n in escalation_queues.stale_needs([world.community.id])] == [world.need.id]
    assert escalation_queues.suggest_escalations() == 1
    assert escalation_queues.suggest_escalations() == 0
    assert _count(Notification, Notification.kind == "escalation_suggested") == 1
    _escalate(world)  # an escalated need is no longer suggested
    assert escalation_queues.stale_needs([world.community.id]) == []
    assert fresh.id not in [n.id for n in escalation_queues.stale_needs(None)]


def test_assigning_without_a_chosen_unit_is_refused_by_field(world):
    escalation = _escalate(world)
    for data in ({}, {"unit_id": ""}, {"unit_id": None}):
        with pytest.raises(InvalidInput, match="请选择承接单位") as refused:
            escalations.assign(world.township_user, escalation.id, data)
        assert refused.value.field == "unit_id"
    assert _db.session.get(Escalation, escalation.id).status == "open"
