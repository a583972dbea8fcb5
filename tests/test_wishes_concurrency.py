"""Wishes under a race: one wish, 20 claimers at once → exactly one, on both databases."""

from datetime import timedelta

from sqlalchemy import func, select

from marketplace import clock
from marketplace.models import AuditEntry, User
from marketplace.models.wishes import Wish
from marketplace.services.accounts import issue_api_token
from marketplace.services.wishes import wishes
from tests.concurrency import race, unit_secretaries
from tests.factories import make_community


def _open_wish(db) -> int:
    wish = Wish(
        community_id=make_community().id,
        title="一套学习用品",
        value_yuan=80,
        resident_name="王小明",
        deadline=clock.today() + timedelta(days=10),
    )
    db.session.add(wish)
    db.session.commit()
    return wish.id


def test_c9_twenty_claimers_one_wish_exactly_one_wins(app, db):
    users = unit_secretaries(db, 20)
    wish_id = _open_wish(db)

    def work(index, barrier):
        from marketplace.extensions import db as session_db

        user = session_db.session.get(User, users[index])
        session_db.session.commit()
        barrier.wait()
        return wishes.claim_wish(user, wish_id).claimer_user_id

    outcomes = race(app, db, 20, work)
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == 19, outcomes
    winner = next(value for kind, value in outcomes if kind == "ok")
    db.session.expire_all()
    wish = db.session.get(Wish, wish_id)
    assert (wish.status, wish.claimer_user_id) == ("claimed", winner)
    claims = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "wish.claim")
    assert db.session.scalar(claims) == 1


def test_c9_through_the_api_one_201_and_nineteen_409(app, db):
    users = unit_secretaries(db, 20)
    tokens = [issue_api_token(db.session.get(User, user_id)) for user_id in users]
    wish_id = _open_wish(db)

    def work(index, barrier):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/wishes/{wish_id}/claim",
            headers={"Authorization": f"Bearer {tokens[index]}"},
        )
        return response.status_code

    codes = [value for _kind, value in race(app, db, 20, work)]
    assert sorted(codes) == [201] + [409] * 19, codes
