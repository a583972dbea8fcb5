"""Publishing races on both databases: one published plan per county, never two.

Real threads, each with its own app context and session, are released together by a
barrier; each ends its own transaction before waiting (SQLite: BEGIN IMMEDIATE).
"""

import threading

from sqlalchemy import func, select

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.models import PairingPlan, User
from marketplace.services.pairing import pairing_plans
from marketplace.services.pairing.plan_inputs import PlanInputs


def _approved_plan(reviewer: User, approver: User) -> int:
    county_id = pairing_plans.default_county().id
    plan = pairing_plans.create_plan(reviewer, county_id, PlanInputs())
    pairing_plans.submit_plan(reviewer, plan.id)
    pairing_plans.approve_plan(approver, plan.id)
    return plan.id


def _publish_together(app, approver_id: int, plan_ids: list[int]) -> list[str]:
    barrier = threading.Barrier(len(plan_ids), timeout=60)
    outcomes = ["missing"] * len(plan_ids)
    db.session.commit()

    def run(index: int) -> None:
        with app.app_context():
            try:
                approver = db.session.get(User, approver_id)
                db.session.commit()
                barrier.wait()
                pairing_plans.publish_plan(approver, plan_ids[index])
                outcomes[index] = "ok"
            except DomainError as error:
                outcomes[index] = type(error).__name__
            except Exception as error:  # "database is locked" and the like must not happen
                outcomes[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(plan_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


def _published_count() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(PairingPlan).where(PairingPlan.status == "published")
    )


def test_same_plan_published_twice_at_once(demo_app):
    reviewer, approver = (
        db.session.scalar(select(User).where(User.username == name))
        for name in ("reviewer", "reviewer2")
    )
    plan_id = _approved_plan(reviewer, approver)
    outcomes = _publish_together(demo_app, approver.id, [plan_id, plan_id])
    assert sorted(outcomes) == ["Conflict", "ok"]
    assert _published_count() == 1


def test_two_plans_published_at_once_leave_one_published(demo_app):
    reviewer, approver = (
        db.session.scalar(select(User).where(User.username == name))
        for name in ("reviewer", "reviewer2")
    )
    plan_ids = [_approved_plan(reviewer, approver), _approved_plan(reviewer, approver)]
    outcomes = _publish_together(demo_app, approver.id, plan_ids)
    assert outcomes == ["ok", "ok"]
    assert _published_count() == 1
    statuses = set(
        db.session.scalars(select(PairingPlan.status).where(PairingPlan.id.in_(plan_ids)))
    )
    assert statuses == {"published", "superseded"}
