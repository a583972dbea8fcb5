"""``flask check``: each check finds a row corrupted behind the services' back; demo is clean."""

import pytest
from sqlalchemy import select, update

from marketplace.models import (
    AuditEntry,
    Member,
    Need,
    PairActivity,
    PairingPlan,
    PlanPair,
    PointEntry,
    Post,
    Ticket,
    Unit,
)
from marketplace.services import jobs, record_check
from marketplace.services.oversight import assessment
from marketplace.services.search import search_index
from tests.helpers.record import assert_record_consistent


def _check(app, *only: str):
    from marketplace.extensions import db

    db.session.commit()  # the command runs in its own app context and session
    args = ["check", *[f"--only={name}" for name in only]]
    return app.test_cli_runner().invoke(args=args)


def _corrupt(db, statement) -> None:
    db.session.execute(statement)
    db.session.commit()


@pytest.fixture
def db(demo_app):
    from marketplace.extensions import db

    return db


def test_the_demo_county_is_consistent(demo_app, db):
    search_index.rebuild()
    result = _check(demo_app)
    assert result.exit_code == 0, result.output
    assert "项检查全部一致" in result.output
    assert_record_consistent(demo_app)


def test_a_need_claimed_beyond_its_claims_is_named(demo_app, db):
    need = db.session.scalars(
        select(Need).where(Need.claimed < Need.quantity).order_by(Need.id)
    ).first()
    stored = need.claimed + 1
    _corrupt(db, update(Need).where(Need.id == need.id).values(claimed=stored))
    result = _check(demo_app, "need.claimed")
    assert result.exit_code == 1
    assert f"需求 #{need.id}「{need.title}」记录已认领 {stored}，有效认领合计 {stored - 1}" in (
        result.output
    )
    assert "发现 1 处不一致" in result.output


def test_a_plan_total_apart_from_its_pairs_is_named(demo_app, db):
    plan = db.session.scalars(select(PairingPlan).order_by(PairingPlan.id)).first()
    _corrupt(
        db,
        update(PairingPlan)
        .where(PairingPlan.id == plan.id)
        .values(total_score=PairingPlan.total_score + 5),
    )
    result = _check(demo_app, "pairing_plan.total")
    assert result.exit_code == 1 and f"结对方案 #{plan.id}（第 {plan.version} 版）" in result.output


def test_a_points_balance_apart_from_its_ledger_is_named(demo_app, db):
    member = db.session.scalars(select(Member).order_by(Member.id)).first()
    stored = member.points_balance + 7
    _corrupt(
        db,
        update(Member)
        .where(Member.id == member.id)
        .values(points_balance=Member.points_balance + 7),
    )
    result = _check(demo_app, "points.balance")
    assert result.exit_code == 1
    assert f"党员 #{member.id} {member.name}：余额 {stored}" in result.output


def test_an_entry_balance_apart_from_the_running_sum_is_named(demo_app, db):
    entry = db.session.scalars(select(PointEntry).order_by(PointEntry.id)).first()
    _corrupt(
        db,
        update(PointEntry)
        .where(PointEntry.id == entry.id)
        .values(balance_after=PointEntry.balance_after + 3),
    )
    result = _check(demo_app, "points.running")
    assert (
        result.exit_code == 1
        and f"积分明细 #{entry.id}（党员 #{entry.member_id}）" in result.output
    )


def test_a_ticket_counter_apart_from_its_steps_is_named(demo_app, db):
    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    _corrupt(db, update(Ticket).where(Ticket.id == ticket.id).values(declines=Ticket.declines + 2))
    result = _check(demo_app, "hotline.counters")
    assert result.exit_code == 1 and f"工单 #{ticket.id}：记录退单" in result.output


def test_a_post_taken_apart_from_its_members_is_named(demo_app, db):
    post = db.session.scalars(
        select(Post).where(Post.taken < Post.places).order_by(Post.id)
    ).first()
    _corrupt(db, update(Post).where(Post.id == post.id).values(taken=Post.taken + 1))
    result = _check(demo_app, "posts.taken")
    assert result.exit_code == 1 and f"岗位 #{post.id}「{post.name}」" in result.output


def test_a_checklist_bonus_without_the_evidence_is_named(demo_app, db):
    paid = select(PointEntry.member_id).where(PointEntry.source_kind == "checklist")
    member = db.session.scalars(
        select(Member).where(Member.id.not_in(paid)).order_by(Member.id)
    ).first()
    db.session.add(
        PointEntry(
            member_id=member.id,
            amount=50,
            source_kind="checklist",
            source_id=2026,
            balance_after=member.points_balance + 50,
        )
    )
    db.session.commit()
    result = _check(demo_app, "checklist.bonus")
    assert result.exit_code == 1
    assert f"党员 #{member.id} {member.name}：已发放 2026 年度清单积分" in result.output


def test_an_activity_of_no_pair_counts_neither_in_the_matrix_nor_in_the_assessment(demo_app, db):
    """An activity of a unit and a community never paired counts nowhere: the matrix and the
    assessment read one compliance function, so the check finds them equal."""
    unit, community_id, day = _never_paired_in_a_quiet_quarter(db)
    db.session.add(
        PairActivity(
            unit_id=unit.id,
            community_id=community_id,
            held_on=day,
            kind="symposium",
            title="背着服务写入的活动",
            status="confirmed",
            logged_by_side="unit",
        )
    )
    db.session.commit()
    result = _check(demo_app, "oversight.compliance")
    assert result.exit_code == 0, result.output
    assert f"{unit.name}：考核计达标季度" not in result.output


def _never_paired_in_a_quiet_quarter(db):
    """A unit, a community it was never paired with, a day in a quarter it did nothing."""
    from marketplace.models import Community
    from marketplace.services.oversight.oversight_calendar import county_today, year_quarters

    today = county_today()
    for unit in db.session.scalars(select(Unit).order_by(Unit.id)):
        held = set(
            db.session.scalars(
                select(PairActivity.held_on).where(
                    PairActivity.unit_id == unit.id, PairActivity.status == "confirmed"
                )
            )
        )
        quiet = [
            quarter.starts_on
            for quarter in year_quarters(today.year)
            if quarter.starts_on <= today
            and not any(quarter.starts_on <= day <= quarter.ends_on for day in held)
        ]
        paired = select(PlanPair.community_id).where(PlanPair.unit_id == unit.id)
        other = db.session.scalar(select(Community.id).where(Community.id.not_in(paired)))
        if quiet and other:
            return unit, other, quiet[0]
    raise AssertionError("the demo county has no quiet quarter left to corrupt")


def test_a_score_apart_from_its_parts_is_named(demo_app, db, monkeypatch):
    honest = assessment.assess

    def drifted(year):
        scores = honest(year)
        scores[0].score += 3
        return scores

    monkeypatch.setattr(assessment, "assess", drifted)
    result = _check(demo_app, "assessment.score")
    assert result.exit_code == 1 and "考核得分" in result.output and "各项加权合计" in result.output


def test_a_listing_changed_behind_the_index_is_named(demo_app, db):
    search_index.rebuild()
    need = db.session.scalars(
        select(Need).where(Need.status.in_(("published", "partly_claimed"))).order_by(Need.id)
    ).first()
    _corrupt(db, update(Need).where(Need.id == need.id).values(title="背着索引改的标题"))
    result = _check(demo_app, "search.index")
    assert result.exit_code == 1 and f"need:{need.id}：内容不一致" in result.output


def test_unknown_check_names_are_refused(demo_app, db):
    result = _check(demo_app, "nope")
    assert result.exit_code == 2 and "没有这个检查：nope" in result.output


def test_the_daily_job_runs_once_a_day_and_leaves_an_audit_entry(demo_app, db):
    _corrupt(
        db, update(Member).where(Member.id == 1).values(points_balance=Member.points_balance + 1)
    )
    first = jobs.run_due(only=["record.check"])
    second = jobs.run_due(only=["record.check"])
    assert first[0].error is None and first[0].count >= 1  # the index is missing, too
    assert second[0].count == 0
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "record_check.run")
    ).all()
    assert len(entries) == 1 and "党员 #1" in entries[0].detail


def test_a_domain_registers_its_own_check(demo_app, db, monkeypatch):
    monkeypatch.setattr(record_check, "CHECKS", dict(record_check.CHECKS))
    record_check.register_check(
        "funds.balance", "资金台账余额", lambda: ["资金台账 #3：余额 10，明细合计 12"]
    )
    result = _check(demo_app, "funds.balance")
    assert (
        result.exit_code == 1
        and "【资金台账余额】资金台账 #3：余额 10，明细合计 12" in result.output
    )
