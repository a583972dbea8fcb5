"""The hotline under a race: one ticket dispatched twice at once → one dispatch, both databases."""

from sqlalchemy import func, select

from marketplace.models import User
from marketplace.models.hotline import Ticket, TicketEvent
from marketplace.services.accounts import issue_api_token
from marketplace.services.hotline import hotline
from tests.concurrency import race
from tests.factories import make_user
from tests.hotline_helpers import call, staffed_team


def test_c9_two_dispatchers_one_ticket_one_dispatch(app, db):
    dispatchers = [make_user("dispatcher").id for _ in range(2)]
    teams = [staffed_team().team.id for _ in range(2)]
    ticket_id = call().id

    def work(index, barrier):
        from marketplace.extensions import db as session_db

        user = session_db.session.get(User, dispatchers[index])
        session_db.session.commit()
        barrier.wait()
        return hotline.dispatch_ticket(user, ticket_id, teams[index]).team_id

    outcomes = race(app, db, 2, work)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["Conflict", "ok"], outcomes
    winner = next(value for kind, value in outcomes if kind == "ok")
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id).team_id == winner
    dispatched = select(func.count()).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.action == "dispatched"
    )
    assert db.session.scalar(dispatched) == 1


def test_c9_ten_dispatches_through_the_api_one_200(app, db):
    tokens = [issue_api_token(make_user("dispatcher")) for _ in range(10)]
    team_id = staffed_team().team.id
    ticket_id = call().id

    def work(index, barrier):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/hotline/requests/{ticket_id}/dispatch",
            json={"team_id": team_id},
            headers={"Authorization": f"Bearer {tokens[index]}"},
        )
        return response.status_code

    codes = [value for _kind, value in race(app, db, 10, work)]
    assert sorted(codes) == [200] + [409] * 9, codes


def test_s19_parallel_online_requests_never_overshoot_the_limit(app, db):
    app.config["HOTLINE_ONLINE_PER_HOUR"] = 3
    body = {
        "service_code": "other",
        "description": "想找人帮忙",
        "phone": "13600000000",
        "address_string": "人民路 1 号",
    }

    def work(index, barrier):
        client = app.test_client()
        barrier.wait()
        return client.post("/api/v1/hotline/requests", json=body).status_code

    codes = [value for _kind, value in race(app, db, 12, work)]
    assert sorted(codes) == [201] * 3 + [429] * 9, codes
    assert db.session.scalar(select(func.count(Ticket.id))) == 3
