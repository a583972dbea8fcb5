"""Dispatch suggestions, the batch proposal by the assignment engine, overdue marking, dashboard."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, InvalidInput
from marketplace.models import Notification
from marketplace.models.hotline import Ticket
from marketplace.services.hotline import (
    hotline,
    hotline_dispatch,
    hotline_queries,
    hotline_stats,
)
from tests.factories import make_community, make_user
from tests.hotline_helpers import call, staffed_team


def test_suggestions_rank_community_then_kind_then_load(app, db):
    home, away = make_community(), make_community(latitude=31.5, longitude=114.2)
    plain_home = staffed_team(home, name="乐民服务队")
    matching_home = staffed_team(home, name="便民服务队", post_name="水电维修岗")
    matching_away = staffed_team(away, name="便民维修队")
    dispatcher = make_user("dispatcher")
    ticket = call(dispatcher, community_id=home.id, service_code="repair")
    ranked = hotline_dispatch.suggest_teams(dispatcher, ticket.id)
    assert [s.team.id for s in ranked[:3]] == [
        matching_home.team.id,
        plain_home.team.id,
        matching_away.team.id,
    ]
    assert ranked[0].reason.startswith("同社区 · 服务对口")
    assert "公里" in ranked[2].reason
    # a busier matching team drops below an idle one of the same standing
    busy = staffed_team(home, name="便民先锋队")
    for _ in range(2):
        hotline.dispatch_ticket(dispatcher, call(dispatcher).id, matching_home.team.id)
    ranked = hotline_dispatch.suggest_teams(dispatcher, ticket.id)
    assert ranked[0].team.id == busy.team.id and ranked[1].team.id == matching_home.team.id
    with pytest.raises(Forbidden):
        hotline_dispatch.suggest_teams(plain_home.leader, ticket.id)


def test_a_team_nobody_can_act_for_is_never_suggested(app, db):
    from tests.factories import make_team

    idle = make_team()
    dispatcher = make_user("dispatcher")
    ticket = call(dispatcher)
    assert idle.id not in {s.team.id for s in hotline_dispatch.suggest_teams(dispatcher, ticket.id)}


def test_the_batch_respects_spare_load_and_the_dispatcher_confirms(app, db):
    app.config["HOTLINE_TEAM_OPEN_LIMIT"] = 2
    first, second = make_community(), make_community()
    crew_one, crew_two = staffed_team(first), staffed_team(second)
    dispatcher = make_user("dispatcher")
    tickets = [call(dispatcher, community_id=first.id) for _ in range(3)]
    tickets.append(call(dispatcher, community_id=second.id))
    tickets.append(call(dispatcher, community_id=second.id))
    proposals = hotline_dispatch.propose_batch(dispatcher)
    per_team = {}
    for proposal in proposals:
        per_team.setdefault(proposal.suggestion.team.id, []).append(proposal.ticket.id)
    assert len(proposals) == 4  # two teams × spare load 2
    assert all(len(ids) == 2 for ids in per_team.values())
    # the second community's two tickets go to its own team
    second_ids = {t.id for t in tickets if t.community_id == second.id}
    assert set(per_team[crew_two.team.id]) == second_ids
    pairs = [(p.ticket.id, p.suggestion.team.id) for p in proposals]
    landed, refused = hotline_dispatch.confirm_batch(
        dispatcher, [*pairs, (pairs[0][0], crew_one.team.id)]
    )
    assert landed == 4 and len(refused) == 1 and "不能执行" in refused[0]
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).where(Ticket.status == "dispatched")) == 4
    with pytest.raises(InvalidInput):
        hotline_dispatch.confirm_batch(dispatcher, [])
    with pytest.raises(Forbidden):
        hotline_dispatch.propose_batch(crew_one.leader)


def test_overdue_tickets_are_marked_once_notified_and_listed_first(app, db):
    dispatcher = make_user("dispatcher")
    crew = staffed_team()
    early = call(dispatcher)
    late = call(dispatcher, urgency="urgent")
    now = late.received_at + timedelta(minutes=45)
    assert hotline_queries.mark_overdue_tickets(now) == 1
    assert hotline_queries.mark_overdue_tickets(now) == 0  # idempotent
    db.session.expire_all()
    assert db.session.get(Ticket, late.id).overdue_stage == "dispatch"
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == "hotline.overdue")
    ).all()
    assert [n.user_id for n in notes] == [dispatcher.id]
    # later it misses the service limit too: marked (and notified) once more, team leader too
    hotline.dispatch_ticket(dispatcher, late.id, crew.team.id)
    assert hotline_queries.mark_overdue_tickets(now + timedelta(hours=25)) == 2
    stages = {t.id: t.overdue_stage for t in db.session.scalars(select(Ticket))}
    assert stages == {early.id: "dispatch", late.id: "serve"}
    leader_notes = db.session.scalars(
        select(Notification).where(
            Notification.user_id == crew.leader.id, Notification.kind == "hotline.overdue"
        )
    ).all()
    assert len(leader_notes) == 1


def test_the_queue_lists_overdue_first(app, db):
    dispatcher = make_user("dispatcher")
    fresh = call(dispatcher)
    stale = call(dispatcher)
    stale.received_at -= timedelta(hours=5)
    stale.dispatch_due_at -= timedelta(hours=5)
    db.session.commit()
    page = hotline_queries.queue_page(dispatcher, hotline_queries.TicketFilters())
    assert [t.id for t in page.items] == [stale.id, fresh.id]
    overdue = hotline_queries.queue_page(
        dispatcher, hotline_queries.TicketFilters(overdue_only=True)
    )
    assert [t.id for t in overdue.items] == [stale.id]
    with pytest.raises(Forbidden):
        hotline_queries.queue_page(make_user("unit"), hotline_queries.TicketFilters())


def test_dashboard_counts_medians_and_teams(app, db):
    dispatcher = make_user("dispatcher")
    crew = staffed_team()
    ticket = call(dispatcher, service_code="health")
    call(dispatcher, service_code="health")
    call(dispatcher, service_code="legal")
    hotline.dispatch_ticket(dispatcher, ticket.id, crew.team.id)
    hotline.accept_ticket(crew.leader, ticket.id)
    hotline.serve_ticket(crew.leader, ticket.id, "送药上门", 1)
    hotline.follow_up_ticket(dispatcher, ticket.id, 4, True)
    figures = hotline_stats.dashboard(make_user("reviewer"), 30)
    assert figures.total == 3 and figures.served == 1 and figures.resolved == 1
    assert figures.per_kind[0] == ("医疗健康", 2)
    assert sum(count for _day, count in figures.per_day) == 3 and len(figures.per_day) == 30
    assert figures.satisfaction[4] == 1 and figures.mean_satisfaction == 4
    assert figures.median_dispatch_minutes is not None and figures.median_serve_hours is not None
    assert figures.teams[0].name == crew.team.name and figures.teams[0].served == 1
    with pytest.raises(Forbidden):
        hotline_stats.dashboard(crew.leader, 30)
    with pytest.raises(InvalidInput):
        hotline_stats.dashboard(dispatcher, 7)
