"""The pairing-plan service on the demo county: run, adjust, review, publish, compare, export."""

import csv
import io
from collections import Counter

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.extensions import db
from marketplace.models import AuditEntry, Notification, PairingPlan, User
from marketplace.services.pairing import pairing_plans, plan_export, plan_history, plan_reports
from marketplace.services.pairing.plan_inputs import PlanInfeasible, PlanInputs


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _pairs(plan: PairingPlan) -> set[tuple[int, int]]:
    return {(pair.unit_id, pair.community_id) for pair in plan_reports.plan_pairs(plan.id)}


# The optimum itself, with the change cap lifted (and the reason the cap requires).
UNCAPPED = {"max_change_share": 1.0, "change_reason": "测试最优方案，不设变动上限"}


def _new_plan(**inputs) -> PairingPlan:
    county = pairing_plans.default_county()
    return pairing_plans.create_plan(_user("reviewer"), county.id, PlanInputs(**inputs))


def test_whole_flow_pairs_each_community_with_eight_units(demo_app):
    reviewer, second = _user("reviewer"), _user("reviewer2")
    old = plan_reports.published_plan(pairing_plans.default_county().id)
    plan = _new_plan()
    pairs = _pairs(plan)
    assert plan.status == "draft" and plan.version == 2 and len(pairs) == 88
    assert set(Counter(c for _, c in pairs).values()) == {8} and len({c for _, c in pairs}) == 11
    assert set(Counter(u for u, _ in pairs).values()) == {1}
    assert plan.total_score == pytest.approx(sum(p.score for p in plan_reports.plan_pairs(plan.id)))

    pairing_plans.submit_plan(reviewer, plan.id)
    with pytest.raises(Forbidden):  # no self-approval
        pairing_plans.approve_plan(reviewer, plan.id)
    db.session.rollback()
    pairing_plans.approve_plan(second, plan.id)
    pairing_plans.publish_plan(second, plan.id)

    db.session.expire_all()
    assert plan.status == "published" and plan.approved_by_id == second.id
    assert db.session.get(PairingPlan, old.id).status == "superseded"
    community_user = _user("community01")
    mine = plan_history.published_pairs([community_user.community_id])
    assert len(mine) == 8 and {p.plan_id for p in mine} == {plan.id}
    message = db.session.scalar(
        select(Notification.message).where(Notification.user_id == community_user.id)
    )
    assert plan.title in message and mine[0].unit.name in message
    assert db.session.scalar(select(func.count()).where(Notification.user_id == _user("unit01").id))
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == plan.id))
    )
    assert {"pairing_plan.create", "pairing_plan.approve", "pairing_plan.publish"} <= actions

    with pytest.raises(Conflict):  # no double publish
        pairing_plans.publish_plan(second, plan.id)


def test_no_publish_before_approval_and_only_reviewers_act(demo_app):
    reviewer, second = _user("reviewer"), _user("reviewer2")
    plan = _new_plan()
    with pytest.raises(Conflict):
        pairing_plans.publish_plan(second, plan.id)
    with pytest.raises(Conflict):  # approve only what was submitted
        pairing_plans.approve_plan(second, plan.id)
    pairing_plans.submit_plan(reviewer, plan.id)
    with pytest.raises(Conflict):
        pairing_plans.publish_plan(second, plan.id)
    for username in ("community01", "unit01", "admin"):
        with pytest.raises(Forbidden):
            pairing_plans.approve_plan(_user(username), plan.id)
    db.session.rollback()
    assert db.session.get(PairingPlan, plan.id).status == "under_review"
    with pytest.raises(Forbidden):
        pairing_plans.create_plan(_user("unit01"), plan.county_id, PlanInputs())


def test_pin_forbid_and_swap_hold_after_resolve(demo_app):
    reviewer = _user("reviewer")
    plan = _new_plan()
    by_unit = dict(_pairs(plan))
    units = sorted(by_unit)
    first, second = units[0], next(u for u in units if by_unit[u] != by_unit[units[0]])
    other_community = next(c for c in set(by_unit.values()) if c != by_unit[first])

    pairing_plans.adjust_plan(
        reviewer, plan.id, "forbid", {"unit_id": first, "community_id": by_unit[first]}
    )
    assert (first, by_unit[first]) not in _pairs(plan)
    pairing_plans.adjust_plan(
        reviewer, plan.id, "pin", {"unit_id": second, "community_id": other_community}
    )
    now = dict(_pairs(plan))
    assert now[second] == other_community and (first, by_unit[first]) not in now.items()
    third = next(u for u in units if u not in (first, second) and now[u] != now[second])
    pairing_plans.adjust_plan(
        reviewer, plan.id, "swap", {"unit_id": second, "other_unit_id": third}
    )
    after = dict(_pairs(plan))
    assert after[second] == now[third] and after[third] == now[second]
    assert (first, by_unit[first]) not in after.items()
    assert set(Counter(after.values()).values()) == {8}
    pinned = {(p.unit_id, p.community_id) for p in plan_reports.plan_pairs(plan.id) if p.pinned}
    assert pinned == {(second, now[third]), (third, now[second])}
    assert [a.kind for a in plan.adjustments] == ["forbid", "pin", "swap"]

    with pytest.raises(InvalidInput):
        pairing_plans.adjust_plan(reviewer, plan.id, "swap", {"unit_id": 1, "other_unit_id": 1})
    db.session.rollback()
    pairing_plans.submit_plan(reviewer, plan.id)
    with pytest.raises(Conflict):  # only drafts change
        pairing_plans.adjust_plan(reviewer, plan.id, "unpin", {"unit_id": 1, "community_id": 1})


def test_adjuster_cannot_approve(demo_app):
    plan = _new_plan()
    second = _user("reviewer2")
    unit_id, community_id = sorted(_pairs(plan))[0]
    pairing_plans.adjust_plan(
        second, plan.id, "pin", {"unit_id": unit_id, "community_id": community_id}
    )
    pairing_plans.submit_plan(second, plan.id)
    with pytest.raises(Forbidden):
        pairing_plans.approve_plan(second, plan.id)


def test_infeasible_quotas_create_no_plan(demo_app):
    count = db.session.scalar(select(func.count()).select_from(PairingPlan))
    with pytest.raises(PlanInfeasible) as caught:
        _new_plan(default_quota=(9, 9))  # 99 places, 88 units of capacity one
    assert caught.value.message and caught.value.status == 422
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PairingPlan)) == count
    with pytest.raises(InvalidInput):
        _new_plan(pinned=[(999999, 1)])


def test_compare_shows_exactly_the_swapped_pairs(demo_app):
    reviewer, second = _user("reviewer"), _user("reviewer2")
    published = _new_plan()
    for step, actor in (
        (pairing_plans.submit_plan, reviewer),
        (pairing_plans.approve_plan, second),
    ):
        step(actor, published.id)
    pairing_plans.publish_plan(second, published.id)
    old = dict(_pairs(published))
    a = min(old)
    b = min(u for u in old if old[u] != old[a])
    # Pin every pair, with a and b exchanged, so the draft differs by exactly two units.
    pinned = sorted({**old, a: old[b], b: old[a]}.items())
    draft = _new_plan(pinned=pinned)
    comparison = plan_reports.compare_with_published(draft.id)
    assert comparison.base.id == published.id
    assert {(u.id, c.id) for u, c in comparison.added} == {(a, old[b]), (b, old[a])}
    assert {(u.id, c.id) for u, c in comparison.removed} == {(a, old[a]), (b, old[b])}
    changed = {row.community.id: row for row in comparison.rows if row.added or row.removed}
    assert set(changed) == {old[a], old[b]}
    totals = plan_reports.score_totals(draft)
    row = changed[old[a]]
    assert row.change == pytest.approx(totals[(b, old[a])] - totals[(a, old[a])])
    unchanged = [r for r in comparison.rows if r.community.id not in changed]
    assert all(r.change == pytest.approx(0) for r in unchanged)


def test_excel_and_csv_hold_every_pair(demo_app):
    plan = _new_plan()
    hostile = plan_reports.plan_pairs(plan.id)[0].unit
    hostile.name = '=HYPERLINK("http://evil.example","点我")'
    db.session.commit()
    book = load_workbook(io.BytesIO(plan_export.plan_workbook(plan.id)))
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 12
    names = {
        (("'" if p.unit.name.startswith("=") else "") + p.unit.name, p.community.name)
        for p in plan_reports.plan_pairs(plan.id)
    }  # a formula-like name is exported as text (CSV/formula injection)
    found = set()
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if row and row[0] and row[1] and row[0] != "未覆盖的需求":
                found.add((row[1], row[0]))
    assert found == names
    rows = list(csv.reader(io.StringIO(plan_export.plan_csv(plan.id).lstrip("\ufeff"))))
    assert rows[0][0] == "社区" and {(r[1], r[0]) for r in rows[1:]} == names and len(rows) == 89


def test_infeasible_reasons_name_units_and_communities(demo_app):
    units, communities = plan_reports.county_places(pairing_plans.default_county().id)
    target, allowed = communities[0], units[:5]
    forbidden = [(unit.id, target.id) for unit in units[5:]]  # only 5 units may serve it
    with pytest.raises(PlanInfeasible) as caught:
        _new_plan(forbidden=forbidden)
    assert caught.value.community_ids == [target.id]
    assert target.name in caught.value.message
    db.session.rollback()

    unit = allowed[0]
    pinned = [(unit.id, communities[0].id), (unit.id, communities[1].id)]
    with pytest.raises(PlanInfeasible) as caught:
        _new_plan(pinned=pinned)  # capacity one, pinned twice
    assert unit.name in caught.value.message and f"单位 {unit.id} " not in caught.value.message


def test_return_to_draft_and_discard(demo_app):
    reviewer, second = _user("reviewer"), _user("reviewer2")
    plan = _new_plan()
    pairing_plans.submit_plan(reviewer, plan.id)
    pairing_plans.return_plan(second, plan.id, "请把<b>学府社区</b>的配额调到 9")
    assert plan.status == "draft" and plan.submitted_at is None and "<b>" in plan.note
    unit_id, community_id = sorted(_pairs(plan))[0]
    pairing_plans.adjust_plan(
        reviewer, plan.id, "forbid", {"unit_id": unit_id, "community_id": community_id}
    )
    pairing_plans.discard_plan(reviewer, plan.id)
    assert plan.status == "discarded"
    for step in (pairing_plans.submit_plan, pairing_plans.discard_plan):
        with pytest.raises(Conflict):
            step(reviewer, plan.id)
        db.session.rollback()
    published = plan_reports.published_plan(plan.county_id)
    with pytest.raises(Conflict):  # a published plan is replaced, never discarded
        pairing_plans.discard_plan(reviewer, published.id)


def test_nearest_candidates_reach_the_optimizer_as_a_list_and_short_communities_are_named(
    demo_app, monkeypatch
):
    from marketplace.pairing.scoring import nearest_communities
    from marketplace.services.pairing import pairing_scores

    monkeypatch.setitem(demo_app.config, "PAIRING_NEAREST_COMMUNITIES", 2)
    county = pairing_plans.default_county()
    scores = pairing_scores.county_scores(county.id)
    units, communities = scores.units, scores.communities
    rows, columns = nearest_communities(
        [(u.latitude, u.longitude) for u in units],
        [(c.latitude, c.longitude) for c in communities],
        2,
    )
    nearest = {(units[r].id, communities[c].id) for r, c in zip(rows, columns, strict=True)}
    published = plan_history.published_keys(county.id)
    assert set(scores.parts) == nearest | published  # only candidates are scored
    assert len(scores.parts) < len(units) * len(communities)
    seen = []
    original = pairing_plans.solve

    def spy(problem, **options):
        seen.append(problem)
        return original(problem, **options)

    monkeypatch.setattr(pairing_plans, "solve", spy)
    candidates = Counter(c for _, c in scores.parts)
    short = min(communities, key=lambda c: candidates[c.id])
    needed = candidates[short.id] + 1  # one more unit than its candidates
    with pytest.raises(PlanInfeasible) as caught:
        _new_plan(default_quota=(0, 8), quotas={short.id: (needed, needed)}, **UNCAPPED)
    assert seen[-1].scores is None and len(seen[-1].pairs.unit) == len(scores.parts)
    message = caught.value.message
    assert caught.value.community_ids == [short.id]
    assert short.name in message and "最近的 2 个社区" in message
    db.session.rollback()
    plan = _new_plan(default_quota=(0, 8), **UNCAPPED)
    assert _pairs(plan) <= nearest | published


def test_blocking_pairs_and_the_stable_plan_of_a_plan(demo_app):
    from marketplace.services.pairing import plan_stability

    plan = _new_plan(**UNCAPPED)  # the free optimum: a cap would bind it, not the stable plan
    pairs = _pairs(plan)
    totals = plan_reports.score_totals(plan)
    blocking = plan_stability.plan_blocking_pairs(plan.id)
    assert blocking  # the optimum trades some stability for its total
    for pair in blocking:
        key = (pair.unit.id, pair.community.id)
        assert key not in pairs and pair.score == pytest.approx(totals[key])
        # Capacity one and full quotas: both sides hold a worse partner.
        mine = [totals[(pair.unit.id, c)] for u, c in pairs if u == pair.unit.id]
        theirs = [totals[(u, pair.community.id)] for u, c in pairs if c == pair.community.id]
        assert pair.score > min(mine) and pair.score > min(theirs)
    for side in ("units", "communities"):
        comparison = plan_stability.compare_with_stable(plan.id, side)
        assert comparison.stable_blocking == []
        assert len(comparison.plan_blocking) == len(blocking)
        assert comparison.plan_total == pytest.approx(plan.total_score)
        assert comparison.stable_total < comparison.plan_total  # every unit is paired in both
        assert 0 < comparison.cost_share < 0.2
        assert len(comparison.only_in_plan) == len(comparison.only_in_stable) > 0
    with pytest.raises(InvalidInput):
        plan_stability.compare_with_stable(plan.id, "everyone")


def test_a_plan_too_large_for_the_memory_budget_is_refused_in_words(demo_app, monkeypatch):
    monkeypatch.setitem(demo_app.config, "PAIRING_MEMORY_BUDGET_MB", 0)
    with pytest.raises(InvalidInput) as caught:
        _new_plan()
    assert "实例太大" in caught.value.message and "超过预算 0 MB" in caught.value.message


def test_submitting_tells_the_other_reviewers_and_approval_settles_it(demo_app):
    reviewer, reviewer2 = _user("reviewer"), _user("reviewer2")
    plan = _new_plan()
    assert pairing_plans.may_approve(reviewer, plan) is False  # a draft
    pairing_plans.submit_plan(reviewer, plan.id)

    def unread(user):
        return db.session.scalars(
            select(Notification.kind).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        ).all()

    assert unread(reviewer2) == [pairing_plans.PLAN_SUBMITTED]
    assert unread(reviewer) == []  # never told about its own plan
    assert pairing_plans.may_approve(reviewer, plan) is False  # its author
    assert pairing_plans.may_approve(reviewer2, plan) is True
    pairing_plans.approve_plan(reviewer2, plan.id)
    assert unread(reviewer2) == []  # the work is done: the notice no longer asks
