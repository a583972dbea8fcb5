"""``flask jobs run``: one idempotent command for the periodic work, safe twice at once."""

import time
from datetime import timedelta

from sqlalchemy import func, select

from marketplace import clock
from marketplace.models import AuditEntry, Need, ThrottleCounter
from marketplace.services import jobs, throttle
from tests.concurrency import race
from tests.factories import make_need


def _due_work(db, overdue: int = 3):
    past = clock.today() - timedelta(days=3)
    for _ in range(overdue):
        make_need(starts_on=past - timedelta(days=10), ends_on=past)
    make_need()  # still open: stays
    stale = time.time() - throttle.STALE_AFTER - 60
    db.session.add_all(
        [
            ThrottleCounter(key="login:old", count=3, window_started=stale, blocked_until=0.0),
            ThrottleCounter(
                key="login:new", count=1, window_started=time.time(), blocked_until=0.0
            ),
        ]
    )
    db.session.commit()


def _state(db):
    statuses = db.session.execute(select(Need.status, func.count()).group_by(Need.status)).all()
    expiries = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "need.expire")
    )
    keys = sorted(db.session.scalars(select(ThrottleCounter.key)))
    return dict(statuses), expiries, keys


def test_running_twice_does_the_work_once(app, db):
    _due_work(db)
    first = {r.name: r.count for r in jobs.run_due()}
    assert first["needs.expire"] == 3 and first["throttle.prune"] == 1
    after_first = _state(db)
    assert after_first == ({"expired": 3, "published": 1}, 3, ["login:new"])
    second = {r.name: r.count for r in jobs.run_due()}
    assert second["needs.expire"] == 0 and second["throttle.prune"] == 0
    assert _state(db) == after_first


def test_two_runs_at_once_do_no_harm(app, db):
    _due_work(db, overdue=5)

    def work(index, barrier):
        barrier.wait()
        return {r.name: (r.count, r.error) for r in jobs.run_due()}

    outcomes = race(app, db, 2, work)
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    for _, result in outcomes:
        assert all(error is None for _, error in result.values()), result
    expired = sum((result["needs.expire"][0] or 0) for _, result in outcomes)
    assert expired == 5  # each overdue need expired by exactly one of the runs
    db.session.expire_all()
    assert _state(db) == ({"expired": 5, "published": 1}, 5, ["login:new"])


def test_a_failing_job_does_not_stop_the_others(app, db, monkeypatch):
    _due_work(db, overdue=1)

    def broken(now):
        raise RuntimeError("坏了")

    monkeypatch.setattr(jobs, "JOBS", [("broken", broken), *jobs.JOBS])
    results = {r.name: r for r in jobs.run_due()}
    assert results["broken"].error == "坏了" and results["needs.expire"].count == 1


def test_register_is_one_line_and_replaces_by_name(monkeypatch):
    monkeypatch.setattr(jobs, "JOBS", list(jobs.JOBS))
    jobs.register("demo.count", lambda now: 7)
    jobs.register("demo.count", lambda now: 8)
    assert [name for name, _ in jobs.JOBS].count("demo.count") == 1
    assert dict(jobs.JOBS)["demo.count"](clock.now()) == 8


def test_cli_prints_each_job_and_refuses_unknown_names(app, db):
    _due_work(db, overdue=2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "needs.expire\t处理 2 项" in result.output and "throttle.prune" in result.output
    unknown = runner.invoke(args=["jobs", "run", "--only", "nope"])
    assert unknown.exit_code == 2 and "没有这个任务" in unknown.output
