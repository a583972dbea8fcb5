"""Concurrent escalation moves against the real databases (house technique), both backends.

Several staff act on one escalation at the same moment, released by a barrier: the
conditional UPDATE (and the partial unique index for escalating) lets exactly one win.
"""

from sqlalchemy import func, select

from marketplace.models import Escalation, User
from marketplace.services.oversight import escalations
from tests.concurrency import race
from tests.factories import make_need
from tests.oversight_helpers import PairWorld, quick_user

RACERS = 6


def _as(user_ids, action):
    def work(index, barrier):
        from marketplace.extensions import db

        user = db.session.get(User, user_ids[index])
        db.session.commit()
        barrier.wait()
        return action(user, index)

    return work


def test_one_escalation_per_need_when_staff_escalate_at_once(app, db):
    world = PairWorld()
    need_id = make_need(community=world.community).id
    staff = [world.staff.id] + [
        quick_user("community", community=world.community).id for _ in range(RACERS - 1)
    ]
    outcomes = race(
        app,
        db,
        RACERS,
        _as(
            staff,
            lambda user, i: escalations.escalate_need(user, need_id, {"reason": f"第{i}次"}).id,
        ),
    )
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == RACERS - 1, outcomes
    assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1


def test_one_assignment_wins_when_township_staff_assign_at_once(app, db):
    world = PairWorld()
    need = make_need(community=world.community)
    escalation_id = escalations.escalate_need(world.staff, need.id, {"reason": "无人认领"}).id
    staff = [world.township_user.id] + [
        quick_user("township", township=world.township).id for _ in range(RACERS - 1)
    ]
    units = [world.unit.id, world.second_unit.id, world.other_unit.id] * 2
    outcomes = race(
        app,
        db,
        RACERS,
        _as(
            staff,
            lambda user, i: escalations.assign(user, escalation_id, {"unit_id": units[i]}).id,
        ),
    )
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == RACERS - 1, outcomes
    db.session.expire_all()
    winner = units[kinds.index("ok")]
    assert db.session.get(Escalation, escalation_id).assigned_unit_id == winner
