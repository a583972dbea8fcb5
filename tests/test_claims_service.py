"""Claims service: every transition allowed and refused (role, owner, state), audit, notices."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.models import Claim, Need, Notification, SearchOutbox, User
from marketplace.services.audit import history
from marketplace.services.exchange import claims, needs
from tests.factories import make_need, make_user


@pytest.fixture
def people(db):
    """A community with a need of 10, its staff, and two unit secretaries."""
    staff = make_user("community")
    need = make_need(community=staff.community, quantity=10)
    return staff, need, make_user("unit"), make_user("unit")


def _notices(db, user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def _reload(db, need: Need) -> Need:
    db.session.expire_all()
    return db.session.get(Need, need.id)


def test_whole_workflow_moves_the_need_and_leaves_audit_and_notices(db, people):
    staff, need, unit_a, _ = people
    claim = claims.claim_need(unit_a, need.id, 10, note="安排党员")
    assert (claim.status, _reload(db, need).status, _reload(db, need).claimed) == (
        "proposed",
        "fully_claimed",
        10,
    )
    assert claims.accept_claim(staff, claim.id).status == "accepted"
    report = claims.report_progress(unit_a, claim.id, "第一次活动已开展", 40)
    assert report.percent == 40
    assert _reload(db, need).status == "in_progress"
    claims.report_progress(staff, claim.id, "居民反馈良好", "80")
    assert claims.complete_claim(staff, claim.id).status == "done"
    assert _reload(db, need).status == "completed"
    evaluation = claims.rate_claim(staff, claim.id, 5, "认真负责")
    assert (evaluation.stars, _reload(db, need).status) == (5, "evaluated")

    actions = [e.action for e in history("claim", claim.id)]
    assert actions == [
        "claim.rate",
        "claim.complete",
        "claim.progress",
        "claim.progress",
        "claim.accept",
        "claim.propose",
    ]
    proposal = history("claim", claim.id)[-1]
    assert proposal.before == {"status": None, "need_status": "published", "claimed": 0}
    assert proposal.after == {"status": "proposed", "need_status": "fully_claimed", "claimed": 10}
    assert proposal.user_id == unit_a.id
    need_actions = [e.action for e in history("need", need.id)]
    assert need_actions == ["claim.rate", "claim.complete", "claim.progress", "claim.propose"]
    assert _notices(db, staff) == ["claim_proposed", "claim_progress"]
    # answering the claim settled the "please confirm" notice: it no longer asks
    unread = select(Notification.kind).where(
        Notification.user_id == staff.id, Notification.read_at.is_(None)
    )
    assert list(db.session.scalars(unread)) == ["claim_progress"]
    assert _notices(db, unit_a) == [
        "claim_accepted",
        "claim_progress",
        "claim_completed",
        "claim_rated",
    ]
    assert db.session.scalar(select(Notification.url).limit(1)) == f"/needs/{need.id}"


def test_partial_claims_fill_the_need_and_over_claims_are_refused(db, people):
    _, need, unit_a, unit_b = people
    claims.claim_need(unit_a, need.id, 4)
    assert _reload(db, need).status == "partly_claimed"
    with pytest.raises(Conflict, match="剩余数量不足：该需求仅剩 6"):
        claims.claim_need(unit_b, need.id, 7)
    assert (_reload(db, need).claimed, db.session.scalar(select(func.count(Claim.id)))) == (4, 1)
    claims.claim_need(unit_b, need.id, 6)
    assert (_reload(db, need).status, _reload(db, need).claimed) == ("fully_claimed", 10)
    with pytest.raises(Conflict):
        claims.claim_need(make_user("unit"), need.id, 1)


def test_a_unit_holds_one_open_claim_per_need(db, people):
    _, need, unit_a, _ = people
    first = claims.claim_need(unit_a, need.id, 2)
    with pytest.raises(Conflict, match="请勿重复提交"):
        claims.claim_need(unit_a, need.id, 2)
    assert _reload(db, need).claimed == 2
    claims.withdraw_claim(unit_a, first.id)
    assert claims.claim_need(unit_a, need.id, 3).quantity == 3  # after withdrawing, again


def test_decline_and_withdraw_free_the_quantity(db, people):
    staff, need, unit_a, unit_b = people
    a = claims.claim_need(unit_a, need.id, 10)
    claims.decline_claim(staff, a.id, reason="时间不合适")
    assert (_reload(db, need).claimed, _reload(db, need).status) == (0, "published")
    assert history("claim", a.id)[0].detail == "时间不合适"
    b = claims.claim_need(unit_b, need.id, 3)
    claims.accept_claim(staff, b.id)
    claims.report_progress(unit_b, b.id, "开始", 10)
    claims.withdraw_claim(unit_b, b.id)
    assert (_reload(db, need).claimed, _reload(db, need).status) == (0, "published")
    assert _notices(db, staff).count("claim_withdrawn") == 1
    assert _notices(db, unit_a) == ["claim_declined"]


def test_wrong_role_is_refused_and_nothing_changes(db, people):
    staff, need, unit_a, _ = people
    with pytest.raises(Forbidden):
        claims.claim_need(staff, need.id, 1)
    claim = claims.claim_need(unit_a, need.id, 2)
    for refused in (
        lambda: claims.accept_claim(unit_a, claim.id),
        lambda: claims.decline_claim(unit_a, claim.id),
        lambda: claims.complete_claim(unit_a, claim.id),
        lambda: claims.rate_claim(unit_a, claim.id, 5),
        lambda: claims.withdraw_claim(staff, claim.id),
        lambda: claims.accept_claim(make_user("reviewer"), claim.id),
        lambda: claims.accept_claim(None, claim.id),
    ):
        with pytest.raises(Forbidden):
            refused()
        db.session.rollback()
    assert db.session.get(Claim, claim.id).status == "proposed"


def test_wrong_owner_is_refused_and_nothing_changes(db, people):
    _, need, unit_a, unit_b = people
    claim = claims.claim_need(unit_a, need.id, 2)
    other_staff = make_user("community")
    for refused in (
        lambda: claims.accept_claim(other_staff, claim.id),
        lambda: claims.decline_claim(other_staff, claim.id),
        lambda: claims.report_progress(other_staff, claim.id, "x", 1),
        lambda: claims.withdraw_claim(unit_b, claim.id),
        lambda: claims.report_progress(unit_b, claim.id, "x", 1),
        lambda: claims.get_claim(unit_b, claim.id),
        lambda: claims.get_claim(None, claim.id),
    ):
        with pytest.raises(Forbidden):
            refused()
        db.session.rollback()
    assert db.session.get(Claim, claim.id).status == "proposed"
    assert _reload(db, need).claimed == 2
    with pytest.raises(NotFound):
        claims.accept_claim(other_staff, 999999)


def test_wrong_state_is_refused_with_a_clear_message(db, people):
    staff, need, unit_a, _ = people
    claim = claims.claim_need(unit_a, need.id, 2)
    with pytest.raises(Conflict, match="不能标记完成"):
        claims.complete_claim(staff, claim.id)
    with pytest.raises(Conflict, match="待确认"):
        claims.report_progress(unit_a, claim.id, "x", 5)
    with pytest.raises(Conflict, match="不能评价"):
        claims.rate_claim(staff, claim.id, 4)
    claims.accept_claim(staff, claim.id)
    for refused in (
        lambda: claims.accept_claim(staff, claim.id),
        lambda: claims.decline_claim(staff, claim.id),
    ):
        with pytest.raises(Conflict):
            refused()
    claims.complete_claim(staff, claim.id)
    with pytest.raises(Conflict):
        claims.withdraw_claim(unit_a, claim.id)
    claims.rate_claim(staff, claim.id, 4)
    with pytest.raises(Conflict, match="已经评价"):
        claims.rate_claim(staff, claim.id, 5)
    db.session.rollback()
    assert db.session.get(Claim, claim.id).evaluation.stars == 4


def test_claims_on_needs_that_are_not_open_are_refused(db, people):
    staff, _, unit_a, _ = people
    draft = make_need(community=staff.community, status="draft")
    with pytest.raises(NotFound):
        claims.claim_need(unit_a, draft.id, 1)
    done = make_need(community=staff.community, status="completed", claimed=10)
    with pytest.raises(Conflict, match="已完成"):
        claims.claim_need(unit_a, done.id, 1)
    past = clock.today() - timedelta(days=1)
    stale = make_need(starts_on=past - timedelta(days=3), ends_on=past)
    with pytest.raises(Conflict, match="截止日期"):
        claims.claim_need(unit_a, stale.id, 1)
    with pytest.raises(NotFound):
        claims.claim_need(unit_a, 999999, 1)


def test_bad_input_is_refused_and_nothing_written(db, people):
    staff, need, unit_a, unit_b = people
    claim = claims.claim_need(unit_b, need.id, 2)
    claims.accept_claim(staff, claim.id)
    finished = claims.claim_need(unit_a, make_need(community=staff.community).id, 1)
    claims.accept_claim(staff, finished.id)
    claims.complete_claim(staff, finished.id)
    counted = db.session.scalar(select(func.count(Claim.id)))
    entries = len(history("claim", claim.id)) + len(history("claim", finished.id))
    cases = [
        (lambda: claims.claim_need(unit_a, need.id, 0), "quantity"),
        (lambda: claims.claim_need(unit_a, need.id, "两个"), "quantity"),
        (lambda: claims.claim_need(unit_a, need.id, True), "quantity"),
        (lambda: claims.claim_need(unit_a, need.id, 1, note=["x"]), "note"),
        (lambda: claims.report_progress(unit_b, claim.id, "", 10), "note"),
        (lambda: claims.report_progress(unit_b, claim.id, "ok", 101), "percent"),
        (lambda: claims.rate_claim(staff, finished.id, 6), "stars"),
        (lambda: claims.rate_claim(staff, finished.id, None), "stars"),
        (lambda: claims.rate_claim(staff, finished.id, 3, "长" * 1001), "comment"),
    ]
    for call, field in cases:
        with pytest.raises(InvalidInput) as refused:
            call()
        assert refused.value.field == field
        db.session.rollback()
    assert db.session.scalar(select(func.count(Claim.id))) == counted
    assert len(history("claim", claim.id)) + len(history("claim", finished.id)) == entries
    assert db.session.get(Claim, finished.id).evaluation is None


@pytest.mark.parametrize(
    ("quantity", "claimed", "live", "expected"),
    [
        (10, 0, [], "published"),
        (10, 4, [("proposed", False)], "partly_claimed"),
        (10, 10, [("proposed", False), ("accepted", False)], "fully_claimed"),
        (10, 4, [("in_progress", False)], "partly_claimed"),
        (10, 4, [("done", True)], "partly_claimed"),
        (10, 10, [("in_progress", False)], "in_progress"),
        (10, 10, [("done", True), ("accepted", False)], "in_progress"),
        (10, 10, [("done", False), ("done", True)], "completed"),
        (10, 10, [("done", True)], "evaluated"),
    ],
)
def test_need_status_follows_its_claims(quantity, claimed, live, expected):
    assert claims.need_status_for(quantity, claimed, live) == expected


def test_need_statuses_agree_with_the_demo_county(demo_app):
    from marketplace.extensions import db

    written = {need.id: (need.status, need.claimed) for need in db.session.scalars(select(Need))}
    for need in db.session.scalars(select(Need)):
        claims.refresh_need(need)
    recomputed = {n.id: (n.status, n.claimed) for n in db.session.scalars(select(Need))}
    assert recomputed == written
    db.session.rollback()


def test_project_list_and_claims_for_need(db, people):
    staff, need, unit_a, unit_b = people
    a = claims.claim_need(unit_a, need.id, 3)
    b = claims.claim_need(unit_b, need.id, 3)
    claims.decline_claim(staff, b.id)
    assert [c.id for c in claims.projects_page(staff).items] == [a.id]
    assert claims.projects_page(staff, status="declined").total == 1
    assert [c.id for c in claims.projects_page(unit_a).items] == [a.id]
    assert claims.projects_page(make_user("community")).total == 0
    assert {c.id for c in claims.claims_for_need(staff, need.id)} == {a.id, b.id}
    assert [c.id for c in claims.claims_for_need(unit_b, need.id)] == [b.id]
    assert claims.claims_for_need(None, need.id) == []
    assert claims.get_claim(staff, a.id).unit_id == unit_a.unit_id
    with pytest.raises(Forbidden):
        claims.projects_page(make_user("admin"))


def test_unit_ratings(db, people):
    staff, need, unit_a, _ = people
    assert claims.unit_ratings(unit_a) == {"average": None, "count": 0, "evaluations": []}
    second = make_need(community=staff.community, quantity=2)
    for target, stars in ((need, 5), (second, 2)):
        claim = claims.claim_need(unit_a, target.id, target.quantity)
        claims.accept_claim(staff, claim.id)
        claims.complete_claim(staff, claim.id)
        claims.rate_claim(staff, claim.id, stars, "评价")
    ratings = claims.unit_ratings(unit_a)
    assert (ratings["average"], ratings["count"]) == (3.5, 2)
    assert sorted(e.stars for e in ratings["evaluations"]) == [2, 5]


@contextmanager
def _count_queries(db):
    statements = []

    def _count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


def test_list_queries_are_bounded_on_the_demo_county(demo_app):
    from marketplace.extensions import db

    staff = db.session.scalar(select(User).where(User.username == "community01"))
    secretary = db.session.scalar(select(User).where(User.username == "unit01"))

    def projects(actor):
        page = claims.projects_page(actor, per_page=50)
        return [
            (c.need.community.township.name, c.unit.name, c.reports, c.evaluation)
            for c in page.items
        ]

    def browse():
        page = needs.needs_page(secretary, per_page=100)
        return [(n.community.township.name, n.service_type.category.name) for n in page.items]

    def own_needs():
        page = needs.community_needs_page(staff, per_page=100)
        return [(n.community.name, n.service_type.category.name) for n in page.items]

    # Every project of the county, seen by its communities, must load in the same few queries.
    everyone = db.session.scalars(select(User).where(User.role == "community")).all()
    for load in (*(lambda actor=a: projects(actor) for a in everyone), browse, own_needs):
        db.session.expire_all()
        for user in (staff, secretary, *everyone):
            db.session.refresh(user)  # the signed-in user is loaded before a page runs
        with _count_queries(db) as statements:
            load()
        assert len(statements) <= 3, len(statements)
    assert len(browse()) == 100 and len(own_needs()) >= 8
    assert sum(len(projects(a)) for a in everyone) >= 30


def test_claim_changes_queue_a_search_update_of_the_need(db, people):
    staff, need, unit_a, _ = people
    queued = []

    def _queued(_mapper, _connection, row):
        queued.append(row.doc_key)

    # Watch the inserts: the indexer may drain the outbox right after the commit.
    event.listen(SearchOutbox, "after_insert", _queued)
    try:
        claim = claims.claim_need(unit_a, need.id, 3)  # a bulk UPDATE, not the ORM
        assert f"need:{need.id}" in queued
        queued.clear()
        claims.decline_claim(staff, claim.id)
        assert f"need:{need.id}" in queued
    finally:
        event.remove(SearchOutbox, "after_insert", _queued)


def test_a_claim_that_lost_a_race_is_told_why():
    # Reached when another transaction changed the need between the checks and the UPDATE.
    def explain(status, claimed):
        need = Need(status=status, quantity=5, claimed=claimed, measure_unit="sessions")
        return claims._refusal(need).message

    assert explain("partly_claimed", 4) == "剩余数量不足：该需求仅剩 1 场次可认领。"
    assert explain("fully_claimed", 5) == "剩余数量不足：该需求已全部认领（当前为「全部认领」）。"
    assert explain("in_progress", 5) == "剩余数量不足：该需求已全部认领（当前为「实施中」）。"
    assert explain("withdrawn", 0) == "该需求当前为「已撤回」，不能认领。"


def test_progress_never_falls_back(db, people):
    staff, need, unit_a, _ = people
    claim = claims.claim_need(unit_a, need.id, 2)
    claims.accept_claim(staff, claim.id)
    claims.report_progress(unit_a, claim.id, "过半", 60)
    with pytest.raises(InvalidInput, match="不能低于上次汇报的 60%") as refused:
        claims.report_progress(staff, claim.id, "写错了", 20)
    assert refused.value.field == "percent"
    claims.report_progress(staff, claim.id, "持平也可以", 60)
    assert claims.report_progress(unit_a, claim.id, "完成", 100).percent == 100
