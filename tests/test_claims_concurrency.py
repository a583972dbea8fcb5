"""Concurrent claims against the real database, on both backends.

Real threads, each with its own app context and database session, are released together
by a ``threading.Barrier``. Each thread loads what it needs and ends that transaction
before the barrier: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE).
"""

import random
import time

import pytest
from sqlalchemy import func, select

from marketplace.errors import Conflict
from marketplace.models import AuditEntry, Claim, Need, Notification, User
from marketplace.services.accounts import issue_api_token
from marketplace.services.exchange import claims
from tests.concurrency import race, unit_secretaries
from tests.factories import make_need, make_user
from tests.helpers.claims import claim_as, violations


def test_c1_fifty_units_claim_one_of_twenty(app, db):
    users = unit_secretaries(db, 50)
    need_id = make_need(quantity=20).id
    outcomes = race(app, db, 50, claim_as(users, need_id, [1] * 50))
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 20 and kinds.count("Conflict") == 30, outcomes
    assert all("剩余数量不足" in message for kind, message in outcomes if kind == "Conflict")
    assert violations(db, need_id) == []
    need = db.session.get(Need, need_id)
    assert (need.claimed, need.status) == (20, "fully_claimed")


def test_c1_through_the_api_twenty_201_and_thirty_409(app, db):
    users = unit_secretaries(db, 50)
    tokens = [issue_api_token(db.session.get(User, user_id)) for user_id in users]
    need_id = make_need(quantity=20).id

    def work(index, barrier):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/needs/{need_id}/claims",
            json={"quantity": 1},
            headers={"Authorization": f"Bearer {tokens[index]}"},
        )
        return response.status_code

    codes = [value for _kind, value in race(app, db, 50, work)]
    assert sorted(codes) == [201] * 20 + [409] * 30, codes
    assert violations(db, need_id) == []


def test_c2_random_quantities_never_over_claim(app, db):
    users = unit_secretaries(db, 30)
    need_id = make_need(quantity=40).id
    quantities = [random.Random(index).randint(1, 5) for index in range(30)]
    outcomes = race(app, db, 30, claim_as(users, need_id, quantities))
    assert {kind for kind, _ in outcomes} <= {"ok", "Conflict"}, outcomes
    granted = sum(value for kind, value in outcomes if kind == "ok")
    assert violations(db, need_id) == []
    assert db.session.get(Need, need_id).claimed == granted
    # 30 claims averaging 3 ask for ~90 of 40: the need fills up (at most 4 short of full).
    assert granted > 40 - 5


def test_c3_the_same_unit_double_submitting_gets_one_claim(app, db):
    user_id = unit_secretaries(db, 1)[0]
    need_id = make_need(quantity=10).id
    outcomes = race(app, db, 12, claim_as([user_id] * 12, need_id, [2] * 12))
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == 11, outcomes
    assert db.session.scalar(select(func.count(Claim.id))) == 1
    assert violations(db, need_id) == []


def naive_claim(actor, need_id, quantity):
    """Claim by reading, checking in Python, then writing: the bug the harness must catch."""
    from marketplace.extensions import db

    need = db.session.get(Need, need_id)
    if need.remaining < quantity:
        raise Conflict("剩余数量不足")
    time.sleep(0.05)  # widen the window between the check and the write
    need.claimed = need.claimed + quantity  # an absolute value: concurrent updates are lost
    db.session.add(Claim(need_id=need_id, unit_id=actor.unit_id, quantity=quantity))
    db.session.commit()
    return need


def test_c6_the_harness_catches_a_naive_read_check_write(app, db):
    users = unit_secretaries(db, 20)
    need_id = make_need(quantity=5).id
    outcomes = race(app, db, 20, claim_as(users, need_id, [1] * 20, claim=naive_claim))
    assert {kind for kind, _ in outcomes} <= {"ok", "Conflict"}, outcomes
    if app.test_backend == "postgresql":
        # READ COMMITTED: every thread reads remaining 5, all pass the check, the writes
        # overwrite each other, so more claims exist than the need allows.
        assert violations(db, need_id), "the harness failed to catch an over-claim"
    else:
        # SQLite takes the write lock at BEGIN (BEGIN IMMEDIATE), which serialises even
        # the naive version; the guarantee there comes from the engine set-up.
        assert violations(db, need_id) == []
        assert [kind for kind, _ in outcomes].count("ok") == 5


def test_c7_a_fault_between_the_update_and_the_insert_rolls_both_back(app, db, monkeypatch):
    secretary = make_user("unit")
    need = make_need(quantity=10)

    def broken_insert(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(claims, "_insert_claim", broken_insert)
    with pytest.raises(RuntimeError):
        claims.claim_need(secretary, need.id, 4)
    db.session.expire_all()
    assert (db.session.get(Need, need.id).claimed, db.session.get(Need, need.id).status) == (
        0,
        "published",
    )
    assert db.session.scalar(select(func.count(Claim.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert (
        db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.like("claim%")))
        == 0
    )
    monkeypatch.undo()
    assert claims.claim_need(secretary, need.id, 4).quantity == 4  # nothing was left locked
