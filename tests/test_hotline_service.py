"""志愿服务110: intake, the ticket's state machine, roles, timing and the audit trail."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.models import AuditEntry, Notification, ServiceRecord
from marketplace.models.hotline import TicketEvent
from marketplace.services.hotline import hotline
from tests.factories import make_community, make_member, make_user
from tests.hotline_helpers import call, staffed_team


def test_a_dispatcher_logs_a_call_with_time_limits_by_urgency(app, db):
    normal = call()
    urgent = call(urgency="urgent")
    assert (normal.status, normal.channel, normal.team_id) == ("received", "phone", None)
    assert normal.dispatch_due_at - normal.received_at == timedelta(hours=4)
    assert normal.serve_due_at - normal.received_at == timedelta(hours=72)
    assert urgent.dispatch_due_at - urgent.received_at == timedelta(minutes=30)
    assert urgent.serve_due_at - urgent.received_at == timedelta(hours=24)
    assert [e.action for e in normal.events] == ["received"]


def test_time_limits_are_settings(app, db):
    app.config["HOTLINE_TIME_LIMITS"] = {
        "urgent": {"dispatch_minutes": 10, "serve_hours": 6},
        "normal": {"dispatch_minutes": 60, "serve_hours": 48},
    }
    ticket = call(urgency="urgent")
    assert ticket.dispatch_due_at - ticket.received_at == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": ""}, "phone"),
        ({"phone": "abc"}, "phone"),
        ({"address_string": "", "community_id": None}, "address_string"),
        ({"community_id": 999999}, "community_id"),
        ({"service_code": "pizza"}, "service_code"),
        ({"description": ""}, "description"),
        ({"urgency": "panic"}, "urgency"),
    ],
)
def test_intake_refuses_bad_input_in_chinese(app, db, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        call(**overrides)
    assert refused.value.field == field


def test_the_whole_flow_is_timed_audited_and_drafts_service_records(app, db):
    crew = staffed_team()
    dispatcher = make_user("dispatcher")
    ticket = call(dispatcher, community_id=crew.community.id)
    hotline.dispatch_ticket(dispatcher, ticket.id, crew.team.id)
    assert (ticket.status, ticket.team_id) == ("dispatched", crew.team.id)
    hotline.accept_ticket(crew.co_leader.user, ticket.id)
    hotline.serve_ticket(
        crew.leader, ticket.id, "上门更换水管", "2", [crew.co_leader.id, crew.member.id]
    )
    assert (ticket.status, ticket.service_hours) == ("served", 2.0)
    drafts = db.session.scalars(
        select(ServiceRecord).where(ServiceRecord.source_kind == "hotline")
    ).all()
    assert {d.member_id for d in drafts} == {crew.co_leader.id, crew.member.id}
    assert all(d.status == "submitted" and d.source_id == ticket.id for d in drafts)
    hotline.follow_up_ticket(dispatcher, ticket.id, 5, True, "老人很满意")
    assert (ticket.status, ticket.satisfaction, ticket.resolved) == ("followed_up", 5, True)
    hotline.close_ticket(dispatcher, ticket.id)
    assert ticket.status == "closed" and ticket.closed_at is not None
    actions = [e.action for e in db.session.scalars(select(TicketEvent).order_by(TicketEvent.id))]
    assert actions == ["received", "dispatched", "accepted", "served", "followed_up", "closed"]
    audited = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "hotline_ticket")
    ).all()
    assert audited == [f"hotline.{action}" for action in actions]
    assert ticket.first_dispatched_at <= ticket.accepted_at <= ticket.served_at


def test_a_team_declines_with_a_reason_and_the_ticket_waits_again(app, db):
    crew = staffed_team()
    dispatcher = make_user("dispatcher")
    ticket = call(dispatcher)
    hotline.dispatch_ticket(dispatcher, ticket.id, crew.team.id)
    with pytest.raises(InvalidInput):
        hotline.decline_ticket(crew.leader, ticket.id, "")
    hotline.decline_ticket(crew.leader, ticket.id, "队员都在外地")
    assert (ticket.status, ticket.team_id, ticket.declines) == ("received", None, 1)
    assert "队员都在外地" in ticket.events[-1].note


def test_an_unsolved_follow_up_reopens_with_fresh_limits(app, db):
    crew = staffed_team()
    dispatcher = make_user("dispatcher")
    ticket = call(dispatcher)
    hotline.dispatch_ticket(dispatcher, ticket.id, crew.team.id)
    hotline.accept_ticket(crew.leader, ticket.id)
    hotline.serve_ticket(crew.leader, ticket.id, "临时处理", 1)
    old_due = ticket.serve_due_at
    hotline.follow_up_ticket(dispatcher, ticket.id, 2, False, "还在漏")
    assert (ticket.status, ticket.team_id, ticket.reopens) == ("received", None, 1)
    assert ticket.serve_due_at > old_due and ticket.events[-1].action == "reopened"
    with pytest.raises(InvalidInput):
        hotline.follow_up_ticket(dispatcher, ticket.id, 9, True)


def test_roles_and_ownership_are_checked_at_every_step(app, db):
    crew, other = staffed_team(), staffed_team()
    dispatcher = make_user("dispatcher")
    ticket = call(dispatcher)
    with pytest.raises(Forbidden):
        hotline.dispatch_ticket(crew.leader, ticket.id, crew.team.id)
    hotline.dispatch_ticket(dispatcher, ticket.id, crew.team.id)
    for outsider in (other.leader, other.co_leader.user, crew.member.user, make_user("community")):
        with pytest.raises(Forbidden):
            hotline.accept_ticket(outsider, ticket.id)
    with pytest.raises(Forbidden):
        hotline.accept_ticket(dispatcher, ticket.id)
    with pytest.raises(Conflict, match="已派单"):
        hotline.dispatch_ticket(dispatcher, ticket.id, other.team.id)
    with pytest.raises(Conflict):
        hotline.serve_ticket(crew.leader, ticket.id, "还没接单", 1)
    with pytest.raises(Conflict):
        hotline.follow_up_ticket(dispatcher, ticket.id, 5, True)
    hotline.accept_ticket(crew.leader, ticket.id)
    with pytest.raises(InvalidInput, match="本服务队"):
        hotline.serve_ticket(crew.leader, ticket.id, "x", 1, [other.member.id])
    with pytest.raises(InvalidInput, match="时长"):
        hotline.serve_ticket(crew.leader, ticket.id, "x", "99")


def test_an_online_request_needs_no_account_and_notifies_dispatchers(app, db):
    watcher = make_user("dispatcher")
    community = make_community()
    ticket = hotline.receive_ticket(
        None,
        {"service_code": "elderly", "description": "想找人陪老人看病", "phone": "13912345678",
         "community_id": community.id},
    )  # fmt: skip
    assert (ticket.channel, ticket.created_by_id, ticket.community_id) == (
        "online",
        None,
        community.id,
    )
    notified = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "hotline.received")
    )
    assert list(notified) == [watcher.id]


def test_is_overdue_follows_the_limits(app, db):
    ticket = call(urgency="urgent")
    assert not hotline.is_overdue(ticket)
    assert hotline.is_overdue(ticket, ticket.received_at + timedelta(minutes=31))
    crew = staffed_team()
    hotline.dispatch_ticket(make_user("dispatcher"), ticket.id, crew.team.id)
    assert not hotline.is_overdue(ticket, ticket.received_at + timedelta(hours=2))
    assert hotline.is_overdue(ticket, ticket.received_at + timedelta(hours=25))


def test_a_member_who_is_not_co_leader_cannot_act(app, db):
    crew = staffed_team()
    dispatcher = make_user("dispatcher")
    ticket = call(dispatcher)
    hotline.dispatch_ticket(dispatcher, ticket.id, crew.team.id)
    with pytest.raises(Forbidden):
        hotline.decline_ticket(make_member().user, ticket.id, "不是本队")
