"""Ledger figures equal the sums of their entries under racing writes, on both databases.

Units contributing, staff spending, corrections and approvals all at once: no request
fails with "database is locked", no entry is reversed twice, no spending approved twice,
and ``check_funds`` finds every total equal to the sum of its entries.
"""

from sqlalchemy import func, select

from marketplace.models import AuditEntry, FundEntry, User
from marketplace.services.funds import fund_entries
from marketplace.services.funds.fund_totals import check_funds, total_of
from tests.concurrency import race, unit_secretaries
from tests.factories import make_community
from tests.oversight_helpers import publish_pairs, quick_user

YEAR = 2026


def _load(user_id: int) -> User:
    from marketplace.extensions import db

    user = db.session.get(User, user_id)
    db.session.commit()  # end the read before the barrier (SQLite's write lock)
    return user


def test_contributions_spending_and_budget_racing_add_up(app, db):
    community = make_community()
    units = unit_secretaries(db, 12)
    publish_pairs([(db.session.get(User, u).unit, community) for u in units])
    staff = quick_user("community", community=community).id
    community_id = community.id  # plain ids: a thread must not load through this session

    def work(index, barrier):
        actor = _load(units[index] if index < 12 else staff)
        barrier.wait()
        kind = "contribution" if index < 12 else ("budget" if index % 2 else "spending")
        data = {"kind": kind, "community_id": community_id, "amount_yuan": f"{100 + index}.25",
                "source": "finance", "note": "并发登记", "date": f"{YEAR}-06-01"}  # fmt: skip
        return fund_entries.enter_entry(actor, data).id

    outcomes = race(app, db, 20, work)
    assert [kind for kind, _ in outcomes] == ["ok"] * 20, outcomes
    totals = total_of(YEAR, {community_id})
    assert totals.contributed == sum((100 + i) * 100 + 25 for i in range(12))
    assert totals.budget == sum((100 + i) * 100 + 25 for i in range(12, 20) if i % 2)
    assert totals.spent == sum((100 + i) * 100 + 25 for i in range(12, 20) if not i % 2)
    assert check_funds() == []


def test_ten_corrections_of_one_entry_at_once_reverse_it_once(app, db):
    community = make_community()
    staff = [quick_user("community", community=community).id for _ in range(10)]
    entry = fund_entries.enter_entry(
        db.session.get(User, staff[0]),
        {
            "kind": "budget",
            "source": "party_fee",
            "amount_yuan": 800,
            "note": "党费",
            "date": f"{YEAR}-03-01",
        },
    )
    entry_id, community_id = entry.id, community.id

    def work(index, barrier):
        actor = _load(staff[index])
        barrier.wait()
        return fund_entries.correct_entry(actor, entry_id, {"reason": f"第{index}人更正"}).id

    outcomes = race(app, db, 10, work)
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == 9, outcomes
    reversals = select(func.count()).select_from(FundEntry).where(FundEntry.reverses_id == entry_id)
    assert db.session.scalar(reversals) == 1
    assert total_of(YEAR, {community_id}).budget == 0
    assert check_funds() == []


def test_a_large_spending_approved_by_two_at_once_is_decided_once(app, db):
    community = make_community()
    staff = quick_user("community", community=community)
    approvers = [quick_user("township", township=community.township).id for _ in range(8)]
    entry = fund_entries.enter_entry(
        staff, {"kind": "spending", "amount_yuan": 50000, "note": "修缮", "date": f"{YEAR}-04-01"}
    )
    entry_id, community_id = entry.id, community.id

    def work(index, barrier):
        actor = _load(approvers[index])
        barrier.wait()
        return fund_entries.decide_spending(actor, entry_id, index % 2 == 0).status

    outcomes = race(app, db, 8, work)
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 1 and kinds.count("Conflict") == 7, outcomes
    decided = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action.in_(("fund.approve", "fund.refuse")))
    )
    assert db.session.scalar(decided) == 1
    db.session.expire_all()
    won = next(value for kind, value in outcomes if kind == "ok")
    assert total_of(YEAR, {community_id}).spent == (5_000_000 if won == "counted" else 0)
    assert check_funds() == []
