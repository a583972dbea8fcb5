"""The funds ledger: who enters what, corrections by reversal, large spending, the check."""

from datetime import date

import pytest
from sqlalchemy import func, select, update

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.models import AuditEntry, Claim, FundEntry
from marketplace.services.funds import fund_entries, fund_queries, fund_totals
from marketplace.services.funds.fund_totals import check_funds, total_of
from tests.factories import make_need
from tests.oversight_helpers import PairWorld
from tests.snapshots import database_fingerprint

YEAR = 2026


def enter(actor, **data) -> FundEntry:
    data.setdefault("note", "年度帮扶")
    data.setdefault("date", f"{YEAR}-03-15")
    return fund_entries.enter_entry(actor, data)


@pytest.fixture
def world(app):
    return PairWorld()


def test_a_unit_pledges_the_default_and_contributes_to_its_paired_community(world):
    pledge = enter(world.unit_user, kind="pledge", community_id=world.community.id)
    assert pledge.amount_fen == 10000 * 100  # 1 万元, the setting's default
    enter(world.unit_user, kind="帮扶到位", community_id=world.community.id, amount_yuan="2500.50")
    enter(
        world.unit_user,
        kind="contribution",
        community_id=world.community.id,
        amount_yuan=800,
        materials="冬衣 40 件",
    )
    unit = total_of(YEAR, unit_id=world.unit.id)
    assert (unit.pledged, unit.contributed, unit.contributed_money) == (1_000_000, 330_050, 250_050)
    assert unit.pledge_rate == 33.0
    community = total_of(YEAR, {world.community.id})
    assert community.balance == 250_050  # materials are given in kind, not into the account
    assert check_funds() == []


def test_a_unit_cannot_enter_another_units_contribution_and_nothing_is_written(world, db):
    before = database_fingerprint()
    with pytest.raises(Forbidden):
        enter(
            world.unit_user,
            kind="contribution",
            community_id=world.community.id,
            unit_id=world.second_unit.id,
            amount_yuan=100,
        )
    with pytest.raises(Forbidden):  # nor a community's budget
        enter(world.unit_user, kind="budget", community_id=world.community.id, amount_yuan=1)
    db.session.rollback()
    assert database_fingerprint() == before


def test_a_unit_pledges_only_to_a_paired_community(world):
    with pytest.raises(InvalidInput) as refused:
        enter(world.unit_user, kind="pledge", community_id=world.other_community.id)
    assert refused.value.field == "community_id"


def test_community_staff_enter_their_own_budget_and_spending_only(world):
    enter(world.staff, kind="budget", source="财政", amount_yuan=120000)
    enter(world.staff, kind="spending", amount_yuan="300.00", project="楼道照明")
    with pytest.raises(Forbidden):
        enter(world.staff, kind="budget", source="finance", community_id=world.other_community.id,
              amount_yuan=1)  # fmt: skip
    totals = total_of(YEAR, {world.community.id})
    assert (totals.budget, totals.spent, totals.balance) == (12_000_000, 30_000, 11_970_000)
    assert totals.by_source["finance"] == 12_000_000


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "必须是数字"),
        ("0", "应大于 0"),
        ("1.234", "两位小数"),
        ("1e400", "应大于 0"),
        ("-5", "应大于 0"),
        (True, "必须是数字"),
    ],
)
def test_bad_amounts_are_refused_in_chinese(world, amount, message):
    with pytest.raises(InvalidInput) as refused:
        enter(world.staff, kind="spending", amount_yuan=amount)
    assert refused.value.field == "amount_yuan" and message in refused.value.message


def test_a_budget_line_needs_a_known_source(world):
    with pytest.raises(InvalidInput) as refused:
        enter(world.staff, kind="budget", source="彩票", amount_yuan=5)
    assert refused.value.field == "source"


def test_a_correction_reverses_the_entry_and_totals_stay_sums(world, db):
    entry = enter(world.staff, kind="budget", source="party_fee", amount_yuan=5000)
    enter(world.staff, kind="budget", source="party_fee", amount_yuan=700)
    reversal = fund_entries.correct_entry(world.staff, entry.id, {"reason": "金额录错"})
    assert reversal.amount_fen == -500_000 and reversal.reverses_id == entry.id
    assert db.session.get(FundEntry, entry.id).amount_fen == 500_000  # never edited
    assert total_of(YEAR, {world.community.id}).budget == 70_000
    with pytest.raises(Conflict):
        fund_entries.correct_entry(world.staff, entry.id, {"reason": "再来一次"})
    with pytest.raises(Conflict):
        fund_entries.correct_entry(world.staff, reversal.id, {"reason": "更正的更正"})
    with pytest.raises(Forbidden):
        fund_entries.correct_entry(world.other_staff, entry.id, {"reason": "不是我的"})
    assert check_funds() == []
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "fund.reverse")
    )


def test_spending_above_the_threshold_waits_for_the_township(world):
    entry = enter(world.staff, kind="spending", amount_yuan=20000, project="老旧小区路灯改造")
    assert entry.status == "pending"
    assert total_of(YEAR, {world.community.id}).spent == 0
    assert [e.id for e in fund_entries.pending_spending(world.township_user)] == [entry.id]
    with pytest.raises(Forbidden):
        fund_entries.decide_spending(world.far_township_user, entry.id, True)
    with pytest.raises(Forbidden):
        fund_entries.decide_spending(world.staff, entry.id, True)
    with pytest.raises(Conflict):  # a pending entry is not corrected: the township decides
        fund_entries.correct_entry(world.staff, entry.id, {"reason": "撤回"})
    fund_entries.decide_spending(world.township_user, entry.id, True, {"decision_note": "同意"})
    assert total_of(YEAR, {world.community.id}).spent == 2_000_000
    with pytest.raises(Conflict):
        fund_entries.decide_spending(world.township_user, entry.id, False)
    refused = enter(world.staff, kind="spending", amount_yuan=9000)
    fund_entries.decide_spending(world.township_user, refused.id, False)
    assert total_of(YEAR, {world.community.id}).spent == 2_000_000
    assert check_funds() == []


def test_a_contribution_to_the_units_own_claim_names_the_project(world, db):
    need = make_need(community=world.other_community, title="助学结对")
    claim = Claim(need_id=need.id, unit_id=world.unit.id, quantity=1, status="accepted")
    db.session.add(claim)
    db.session.commit()
    entry = enter(world.unit_user, kind="contribution", claim_id=claim.id, amount_yuan=600)
    assert (entry.community_id, entry.project) == (world.other_community.id, "助学结对")
    with pytest.raises(Forbidden):
        enter(world.second_unit_user, kind="contribution", claim_id=claim.id, amount_yuan=1)


def test_views_by_unit_community_township_and_county_agree(world):
    enter(world.unit_user, kind="pledge", community_id=world.community.id)
    enter(world.second_unit_user, kind="pledge", community_id=world.community.id, amount_yuan=2)
    enter(world.other_unit_user, kind="contribution", community_id=world.other_community.id,
          amount_yuan=3)  # fmt: skip
    county = fund_queries.overview(world.reviewer, YEAR)
    township = fund_queries.overview(world.township_user, YEAR)
    assert county.totals.pledged == sum(row.pledged for row in county.pairs) == 1_000_200
    assert sum(row.totals.pledged for row in county.townships) == county.totals.pledged
    assert township.totals.contributed == 300
    mine = fund_queries.overview(world.unit_user, YEAR)
    assert [(row.community.id, row.pledged) for row in mine.pairs] == [
        (world.community.id, 1_000_000)
    ]
    assert fund_queries.overview(world.far_township_user, YEAR).totals.pledged == 0


def test_check_funds_names_a_tampered_entry(world, db):
    entry = enter(world.staff, kind="budget", source="finance", amount_yuan=100)
    fund_entries.correct_entry(world.staff, entry.id, {"reason": "录错"})
    db.session.execute(update(FundEntry).where(FundEntry.id == entry.id).values(amount_fen=20_000))
    db.session.commit()
    problems = check_funds()
    assert any(f"第 {entry.id} 号" in line for line in problems)


def test_reported_totals_match_a_recount_entry_by_entry(world, db):
    for day, amount in (
        (date(YEAR, 1, 5), 100),
        (date(YEAR, 12, 31), 250),
        (date(YEAR + 1, 1, 1), 9),
    ):
        enter(
            world.staff, kind="budget", source="donation", amount_yuan=amount, date=day.isoformat()
        )
    assert total_of(YEAR, {world.community.id}).budget == 35_000
    assert fund_totals.sums(YEAR + 1, by="community")[world.community.id].budget == 900
