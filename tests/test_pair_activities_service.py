"""Pair activities: logging, confirming, compliance per quarter and the quarterly reminder."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.models import AuditEntry, Notification, PairActivity, PairReminder
from marketplace.services.oversight import compliance, pair_activities
from marketplace.services.oversight.oversight_calendar import Quarter, county_today
from tests.factories import make_community, make_unit
from tests.oversight_helpers import PairWorld, publish_pairs, quick_user


@pytest.fixture
def app_config():
    """Confirming without a photo: these tests are about the workflow, not its evidence."""
    return {"EVIDENCE_REQUIRED": ()}


@pytest.fixture
def world(app):
    return PairWorld()


def _body(world, **overrides):
    body = {
        "community_id": world.community.id,
        "date": county_today().isoformat(),
        "kind": "volunteering",
        "title": "小区清洁志愿服务",
        "participants": 12,
        "notes": "清理楼道堆物",
    }
    body.update(overrides)
    return body


def test_unit_logs_and_community_confirms(world, db):
    activity = pair_activities.log_activity(world.unit_user, _body(world))
    assert (activity.status, activity.logged_by_side) == ("logged", "unit")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == world.staff.id, Notification.kind == "pair_activity_logged"
            )
        )
        == 1
    )
    confirmed = pair_activities.confirm_activity(world.staff, activity.id)
    assert confirmed.status == "confirmed" and confirmed.confirmed_by_id == world.staff.id
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "pair_activity")
    ).all()
    assert actions == ["pair_activity.log", "pair_activity.confirm"]


def test_community_logs_naming_the_unit(world):
    body = _body(world, unit_id=world.unit.id)
    del body["community_id"]
    activity = pair_activities.log_activity(world.staff, body)
    assert (activity.unit_id, activity.community_id) == (world.unit.id, world.community.id)
    with pytest.raises(Conflict, match="另一方"):
        pair_activities.confirm_activity(world.staff, activity.id)
    assert pair_activities.confirm_activity(world.unit_user, activity.id).status == "confirmed"


def test_confirming_twice_is_refused(world):
    activity = pair_activities.log_activity(world.unit_user, _body(world))
    pair_activities.confirm_activity(world.staff, activity.id)
    with pytest.raises(Conflict, match="已经确认"):
        pair_activities.confirm_activity(world.staff, activity.id)


def test_only_the_pair_may_log_or_confirm(world, db):
    with pytest.raises(InvalidInput, match="结对"):
        pair_activities.log_activity(
            world.unit_user, _body(world, community_id=world.other_community.id)
        )
    activity = pair_activities.log_activity(world.unit_user, _body(world))
    with pytest.raises(Forbidden):
        pair_activities.confirm_activity(world.other_staff, activity.id)
    with pytest.raises(Forbidden):
        pair_activities.log_activity(world.reviewer, _body(world))
    with pytest.raises(NotFound):
        pair_activities.confirm_activity(world.staff, 2**40)
    assert db.session.scalar(select(func.count()).select_from(PairActivity)) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2026-02-30", "YYYY-MM-DD"),
        ("date", "", "请填写活动日期"),
        ("kind", "party", "活动形式无效"),
        ("title", "", "请填写活动主题"),
        ("title", "长" * 101, "不能超过 100"),
        ("participants", -1, "参加人数"),
        ("community_id", "abc", "结对对象必须是整数"),
    ],
)
def test_bad_input_is_refused_in_chinese(world, field, value, message):
    with pytest.raises(InvalidInput) as caught:
        pair_activities.log_activity(world.unit_user, _body(world, **{field: value}))
    assert message in caught.value.errors[field]


def test_an_activity_cannot_be_logged_before_it_happens(world):
    tomorrow = (county_today() + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        pair_activities.log_activity(world.unit_user, _body(world, date=tomorrow))


def _activity(world, day: date, status: str, unit=None) -> None:
    from marketplace.extensions import db

    db.session.add(
        PairActivity(
            unit_id=(unit or world.unit).id,
            community_id=world.community.id,
            held_on=day,
            kind="symposium",
            title="座谈",
            status=status,
            logged_by_side="unit",
        )
    )
    db.session.commit()


def test_compliance_statuses_per_quarter(world):
    _activity(world, date(2025, 2, 10), "confirmed")
    _activity(world, date(2025, 5, 10), "logged")
    _activity(world, date(2025, 8, 10), "logged")
    _activity(world, date(2025, 8, 11), "confirmed")
    rows = pair_activities.compliance([world.community.id], 2025, today=date(2025, 11, 1))
    by_unit = {row.pair.unit_id: row for row in rows}
    assert by_unit[world.unit.id].cells == {
        1: "confirmed",
        2: "logged",
        3: "confirmed",
        4: "running",
    }
    assert by_unit[world.unit.id].counts == {1: 1, 2: 1, 3: 2, 4: 0}
    assert by_unit[world.second_unit.id].cells == {
        1: "missing",
        2: "missing",
        3: "missing",
        4: "running",
    }
    years = compliance.unit_years(2025, today=date(2025, 11, 1))
    assert years[world.unit.id].compliant == {1, 3}
    assert years[world.second_unit.id].compliant == set()


def test_each_quarter_is_judged_by_the_plans_in_force_then(app, db):
    """A plan published in July neither fails its new pair for the spring nor forgets the
    pair it replaced; the replaced pair, in force 20 days of the summer, is not due then."""
    community, old_unit, new_unit = make_community(), make_unit(), make_unit()
    first = publish_pairs([(old_unit, community)], datetime(2025, 1, 10, tzinfo=UTC))
    publish_pairs([(new_unit, community)], datetime(2025, 7, 20, tzinfo=UTC))
    first.status = "superseded"
    db.session.commit()

    rows = pair_activities.compliance([community.id], 2025, today=date(2025, 11, 1))
    cells = {row.pair.unit_id: row.cells for row in rows}
    assert cells == {
        old_unit.id: {1: "missing", 2: "missing", 3: "not_due", 4: "unpaired"},
        new_unit.id: {1: "unpaired", 2: "unpaired", 3: "missing", 4: "running"},
    }
    assert pair_activities.compliance([community.id], 2024, today=date(2025, 11, 1)) == []

    reviewer = quick_user("reviewer")
    row, _activities = pair_activities.pair_year(reviewer, old_unit.id, community.id, 2025)
    assert row.cells[1] == "missing"  # the superseded pair still has its page for 2025
    with pytest.raises(NotFound):
        pair_activities.pair_year(reviewer, old_unit.id, community.id, 2024)


def test_reminder_goes_to_quiet_pairs_once_in_the_last_15_days(world, db):
    quarter = Quarter(2025, 4)
    _activity(world, date(2025, 10, 20), "logged")  # unit has logged; second unit has not
    assert pair_activities.remind_quiet_pairs(quarter.ends_on - timedelta(days=16)) == 0
    day = quarter.ends_on - timedelta(days=15)
    # second_unit × community and other_unit × other_community are quiet
    assert pair_activities.remind_quiet_pairs(day) == 2
    assert pair_activities.remind_quiet_pairs(day) == 0
    assert pair_activities.remind_quiet_pairs(day + timedelta(days=3)) == 0
    reminded = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "pair_activity_reminder")
    ).all()
    assert sorted(reminded) == sorted(
        [world.second_unit_user.id, world.staff.id, world.other_unit_user.id, world.other_staff.id]
    )
    assert db.session.scalar(select(func.count()).select_from(PairReminder)) == 2


def test_the_remind_command_runs_both_jobs_and_refuses_a_bad_date(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["oversight", "remind", "--today", "2025-12-20"])
    assert result.exit_code == 0, result.output
    assert "已提醒 3 对" in result.output
    again = runner.invoke(args=["oversight", "remind", "--today", "2025-12-20"])
    assert "已提醒 0 对" in again.output
    bad = runner.invoke(args=["oversight", "remind", "--today", "2025-13-01"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
