"""Partial claims never strand a need.

A need takes claims while part of it is unclaimed and it is open, whatever the claims
already on it are doing; the lists and dashboards count it the same way.
"""

from datetime import timedelta

import pytest

from marketplace import clock
from marketplace.errors import Conflict
from marketplace.models import Need
from marketplace.services.exchange import claims, needs
from marketplace.services.exchange.listings_overview import community_overview, unit_overview
from marketplace.services.exchange.needs import NeedFilters
from tests.concurrency import race, unit_secretaries
from tests.factories import make_need, make_user
from tests.helpers.claims import claim_as, violations


def _reload(db, need_id: int) -> Need:
    db.session.expire_all()
    return db.session.get(Need, need_id)


def _open_ids(viewer=None) -> set[int]:
    page = needs.needs_page(viewer, NeedFilters(status="open"), per_page=100)
    return {need.id for need in page.items}


@pytest.fixture
def six_sessions(db):
    staff = make_user("community")
    need = make_need(community=staff.community, quantity=6, measure_unit="sessions")
    return staff, need.id, make_user("unit"), make_user("unit")


def test_a_need_half_under_way_still_takes_claims_up_to_what_is_left(db, six_sessions):
    staff, need_id, unit_a, unit_b = six_sessions
    first = claims.claim_need(unit_a, need_id, 2)
    claims.accept_claim(staff, first.id)
    claims.report_progress(unit_a, first.id, "第一场已开展", 50)
    need = _reload(db, need_id)
    assert (need.status, need.remaining) == ("partly_claimed", 4)
    assert need_id in _open_ids(unit_b)
    with pytest.raises(Conflict, match="仅剩 4 场次"):
        claims.claim_need(unit_b, need_id, 5)
    assert claims.claim_need(unit_b, need_id, 4).quantity == 4
    need = _reload(db, need_id)
    assert (need.status, need.claimed) == ("in_progress", 6)  # full, and work under way
    assert need_id not in _open_ids(unit_b)
    with pytest.raises(Conflict, match="已全部认领"):
        claims.claim_need(make_user("unit"), need_id, 1)


def test_a_finished_and_rated_claim_leaves_the_rest_open(db, six_sessions):
    staff, need_id, unit_a, unit_b = six_sessions
    first = claims.claim_need(unit_a, need_id, 2)
    claims.accept_claim(staff, first.id)
    claims.complete_claim(staff, first.id)
    claims.rate_claim(staff, first.id, 5, "很好")
    assert _reload(db, need_id).status == "partly_claimed"  # not 已评价 with 4 unclaimed
    second = claims.claim_need(unit_b, need_id, 4)
    claims.accept_claim(staff, second.id)
    claims.complete_claim(staff, second.id)
    assert _reload(db, need_id).status == "completed"
    claims.rate_claim(staff, second.id, 4, "不错")
    assert _reload(db, need_id).status == "evaluated"


def test_withdrawing_the_claim_under_way_frees_its_share(db, six_sessions):
    staff, need_id, unit_a, unit_b = six_sessions
    first = claims.claim_need(unit_a, need_id, 2)
    claims.accept_claim(staff, first.id)
    claims.report_progress(unit_a, first.id, "开始", 10)
    claims.claim_need(unit_b, need_id, 4)
    claims.withdraw_claim(unit_a, first.id)
    assert (_reload(db, need_id).status, _reload(db, need_id).claimed) == ("partly_claimed", 4)


def test_lowering_the_quantity_to_what_is_claimed_closes_the_need(db, six_sessions):
    staff, need_id, unit_a, _unit_b = six_sessions
    first = claims.claim_need(unit_a, need_id, 2)
    claims.accept_claim(staff, first.id)
    claims.report_progress(unit_a, first.id, "开始", 10)
    with pytest.raises(Conflict, match="开始实施"):
        needs.withdraw_need(staff, need_id)
    needs.update_need(staff, need_id, {"quantity": 2})
    assert _reload(db, need_id).status == "in_progress"


def test_dashboards_count_what_their_links_list(db, six_sessions):
    staff, need_id, unit_a, unit_b = six_sessions
    late = make_need(
        community=staff.community,
        quantity=5,
        starts_on=clock.today() - timedelta(days=20),
        ends_on=clock.today() - timedelta(days=1),
    )
    first = claims.claim_need(unit_a, need_id, 2)
    claims.accept_claim(staff, first.id)
    claims.report_progress(unit_a, first.id, "开始", 30)
    second = claims.claim_need(unit_b, need_id, 1)
    claims.accept_claim(staff, second.id)  # accepted, not yet reported: also under way
    overview = community_overview(staff.community)
    assert overview["ongoing_projects"] == 2
    assert claims.projects_page(staff, "ongoing").total == 2
    open_list = needs.community_needs_page(staff, "open")
    assert overview["open_needs"] == open_list.total == 1  # the late need is not claimable
    assert late.id not in {need.id for need in open_list.items}
    assert unit_overview(unit_a.unit)["ongoing_projects"] == 1
    assert claims.projects_page(unit_a, "ongoing").total == 1


def test_the_dashboard_card_links_to_the_same_list(db, client, six_sessions):
    staff, need_id, unit_a, _unit_b = six_sessions
    first = claims.claim_need(unit_a, need_id, 2)
    claims.accept_claim(staff, first.id)
    client.post("/login", data={"username": staff.username, "password": "correct-horse-42"})
    page = client.get("/community/").get_data(as_text=True)
    assert "status=ongoing" in page
    listed = client.get("/community/projects?status=ongoing").get_data(as_text=True)
    assert f"/needs/{need_id}" in listed


@pytest.mark.parametrize("other_claim", ["in_progress", "done"])
def test_c11_a_partly_claimed_need_takes_racing_claims_up_to_its_remainder(app, db, other_claim):
    staff = make_user("community")
    need_id = make_need(community=staff.community, quantity=10).id
    pioneer = make_user("unit")
    first = claims.claim_need(pioneer, need_id, 4)
    claims.accept_claim(staff, first.id)
    claims.report_progress(pioneer, first.id, "已开展", 50)
    if other_claim == "done":
        claims.complete_claim(staff, first.id)
    assert _reload(db, need_id).status == "partly_claimed"
    users = unit_secretaries(db, 20)
    outcomes = race(app, db, 20, claim_as(users, need_id, [1] * 20))
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("ok") == 6 and kinds.count("Conflict") == 14, outcomes
    assert violations(db, need_id) == []
    need = _reload(db, need_id)
    assert (need.claimed, need.status) == (10, "in_progress")
