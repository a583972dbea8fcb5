"""The demo county's funds year and 大党委: pledges for every pair, 48 兼职委员, a clean ledger."""

from collections import Counter

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import CommitteeMember, CommitteeOrg, FundEntry
from marketplace.services.funds.fund_totals import check_funds
from marketplace.services.oversight.oversight_scope import published_pairs


def test_the_demo_funds_year_and_committees(demo_app):
    pairs = {(p.unit_id, p.community_id) for p in published_pairs()}
    entries = list(db.session.scalars(select(FundEntry)))
    pledged = {(e.unit_id, e.community_id) for e in entries if e.kind == "pledge"}
    assert pairs and pairs == pledged
    kinds = Counter((e.kind, e.status) for e in entries)
    assert kinds[("contribution", "counted")] > len(pairs)
    assert kinds[("spending", "pending")] == 1 and any(e.reverses_id for e in entries)
    assert {e.source for e in entries if e.kind == "budget"} >= {"finance", "party_fee"}
    assert check_funds() == []
    per_community = Counter(m.community_id for m in db.session.scalars(select(CommitteeMember)))
    assert sum(per_community.values()) == 48 and len(per_community) == 11
    assert all(3 <= count <= 5 for count in per_community.values())
    orgs = Counter(o.kind for o in db.session.scalars(select(CommitteeOrg)))
    assert (orgs["activity_branch"], orgs["grid_group"]) == (33, 112)
