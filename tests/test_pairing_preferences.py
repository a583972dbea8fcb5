"""Communities' pairing preferences and the reviewer's cap on changed pairs."""

import pytest
from sqlalchemy import select

from marketplace.errors import Forbidden, InvalidInput
from marketplace.extensions import db
from marketplace.models import AuditEntry, PairingPreference, Unit, User
from marketplace.pairing.reference import solve_milp
from marketplace.services.accounts import issue_api_token
from marketplace.services.pairing import pairing_plans, pairing_preferences, plan_reports
from marketplace.services.pairing.pairing_scores import (
    county_problem,
    county_scores,
)
from marketplace.services.pairing.plan_history import published_keys
from marketplace.services.pairing.plan_inputs import PlanInfeasible, PlanInputs
from tests.helpers.review import demo_places, plan_form


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _county_id() -> int:
    return pairing_plans.default_county().id


def _current_and_other(community_id: int) -> tuple[list[int], list[int]]:
    current = sorted(u for u, c in published_keys(_county_id()) if c == community_id)
    others = sorted(
        set(db.session.scalars(select(Unit.id).where(Unit.county_id == _county_id())))
        - set(current)
    )
    return current, others


def test_community_keeps_and_gains_units_within_limits(demo_app):
    staff = _user("community01")
    current, others = _current_and_other(staff.community_id)
    rows = pairing_preferences.set_preferences(staff, current[:2], others[:1])
    assert {(row.unit_id, row.kind) for row in rows} == {
        (current[0], "keep"),
        (current[1], "keep"),
        (others[0], "gain"),
    }
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "pairing_preference.update")
    )
    assert entry.after == {"keep": current[:2], "gain": others[:1]}
    # Saving again replaces, never adds.
    pairing_preferences.set_preferences(staff, [], others[1:2])
    assert db.session.scalars(select(PairingPreference.unit_id)).all() == [others[1]]


@pytest.mark.parametrize(
    "case, message",
    [
        ("too_many_gains", "最多"),
        ("keep_not_current", "现有的结对单位"),
        ("gain_already_current", "已经结对"),
        ("both", "既希望保留又希望新增"),
        ("unknown_unit", "不属于本县"),
        ("not_a_number", "无效"),
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(demo_app, case, message):
    staff = _user("community01")
    current, others = _current_and_other(staff.community_id)
    keep, gain = {
        "too_many_gains": ([], others[:4]),
        "keep_not_current": (others[:1], []),
        "gain_already_current": ([], current[:1]),
        "both": (current[:1], current[:1]),
        "unknown_unit": ([], [2_000_000]),
        "not_a_number": ([], ["abc"]),
    }[case]
    with pytest.raises(InvalidInput, match=message):
        pairing_preferences.set_preferences(staff, keep, gain)
    db.session.rollback()
    assert db.session.scalar(select(PairingPreference.id)) is None


def test_only_community_staff_state_preferences(demo_app):
    with pytest.raises(Forbidden):
        pairing_preferences.set_preferences(_user("unit01"), [], [])


def test_a_preferred_pair_earns_the_preference_part_in_the_next_run(demo_app):
    staff = _user("community01")
    _, others = _current_and_other(staff.community_id)
    pairing_preferences.set_preferences(staff, [], others[:1])
    scores = county_scores(_county_id())
    wanted = scores.parts[others[0], staff.community_id]
    assert scores.weights.preference > 0
    assert wanted.preference == pytest.approx(scores.weights.preference)
    assert scores.parts[others[1], staff.community_id].preference == 0
    # With a heavy preference weight the wanted unit is paired with the community.
    plan = pairing_plans.create_plan(
        _user("reviewer"),
        _county_id(),
        PlanInputs.from_json({"weights": {"preference": 50}}),
    )
    pair = next(
        p
        for p in plan_reports.plan_pairs(plan.id)
        if (p.unit_id, p.community_id) == (others[0], staff.community_id)
    )
    assert pair.preference == pytest.approx(50)


def _dropped(plan) -> int:
    new = {(p.unit_id, p.community_id) for p in plan_reports.plan_pairs(plan.id)}
    return len(published_keys(_county_id()) - new)


def test_a_change_cap_bounds_churn_and_stays_optimal(demo_app):
    reviewer = _user("reviewer")
    free = pairing_plans.create_plan(reviewer, _county_id(), PlanInputs())
    assert _dropped(free) > 5  # the demo's free re-run moves many pairs
    capped = pairing_plans.create_plan(reviewer, _county_id(), PlanInputs(max_changes=5))
    assert _dropped(capped) <= 5
    assert capped.max_changes == 5
    assert capped.total_score < free.total_score
    # The same problem as an integer program with the keep constraint: same optimum.
    scores = county_scores(_county_id())
    problem = county_problem(scores, 8, 8)
    previous = {(str(u), str(c)) for u, c in published_keys(_county_id())}
    reference = solve_milp(problem, keep=previous, keep_at_least=len(previous) - 5)
    assert capped.total_score == pytest.approx(reference.total_score, abs=1e-6)
    # The comparison page counts the churn.
    comparison = plan_reports.compare_with_published(capped.id)
    assert len(comparison.removed) == _dropped(capped)
    assert comparison.kept + len(comparison.removed) == len(previous)


def test_a_cap_that_pins_cannot_meet_is_refused_with_a_reason(demo_app):
    reviewer = _user("reviewer")
    previous = sorted(published_keys(_county_id()))
    # Pin three units of kept pairs elsewhere: at least three old pairs must go.
    communities = sorted({c for _, c in previous})
    pinned = []
    for unit_id, community_id in previous[:3]:
        other = next(c for c in communities if c != community_id)
        pinned.append((unit_id, other))
    with pytest.raises(PlanInfeasible, match="最多调整 2 对"):
        pairing_plans.create_plan(
            reviewer, _county_id(), PlanInputs(max_changes=2, pinned=sorted(pinned))
        )


def test_bad_cap_values_are_refused(demo_app):
    for value in (-1, "abc", True, 10_001):
        with pytest.raises(InvalidInput):
            PlanInputs.from_json({"max_changes": value})
    assert PlanInputs.from_json({"max_changes": None}).max_changes is None


def test_preference_page_saves_and_units_are_refused(demo_client):
    demo_client.post("/login", data={"username": "community01", "password": "demo-pass"})
    page = demo_client.get("/pairs/preferences/")
    assert page.status_code == 200 and "结对意愿" in page.get_data(as_text=True)
    staff = _user("community01")
    _, others = _current_and_other(staff.community_id)
    response = demo_client.post("/pairs/preferences/", data={"gain": [others[0], others[1]]})
    assert response.status_code == 302
    assert set(db.session.scalars(select(PairingPreference.unit_id))) == set(others[:2])
    bad = demo_client.post("/pairs/preferences/", data={"gain": others[:4]})
    assert bad.status_code == 400 and "最多" in bad.get_data(as_text=True)
    demo_client.post("/logout")
    demo_client.post("/login", data={"username": "unit01", "password": "demo-pass"})
    assert demo_client.get("/pairs/preferences/").status_code == 403


def test_preferences_api(demo_client):
    staff = _user("community01")
    _, others = _current_and_other(staff.community_id)
    headers = {"Authorization": f"Bearer {issue_api_token(staff, 'test')}"}
    response = demo_client.post(
        "/api/v1/pairing-preferences", json={"gain": others[:1]}, headers=headers
    )
    assert response.status_code == 200
    assert response.get_json()["preferences"][0]["kind"] == "gain"
    listed = demo_client.get("/api/v1/pairing-preferences", headers=headers).get_json()
    assert [row["unit_id"] for row in listed["preferences"]] == others[:1]
    bad = demo_client.post("/api/v1/pairing-preferences", json={"gain": "1,2"}, headers=headers)
    assert bad.status_code == 400 and "列表" in bad.get_json()["error"]
    unit = _user("unit01")
    refused = demo_client.post(
        "/api/v1/pairing-preferences",
        json={"gain": []},
        headers={"Authorization": f"Bearer {issue_api_token(unit, 'test')}"},
    )
    assert refused.status_code == 403


def test_compare_page_shows_churn(demo_client):
    plan = pairing_plans.create_plan(_user("reviewer"), _county_id(), PlanInputs(max_changes=3))
    demo_client.post("/login", data={"username": "reviewer", "password": "demo-pass"})
    html = demo_client.get(f"/review/plans/{plan.id}/compare").get_data(as_text=True)
    assert "保留原结对" in html and "撤下结对" in html and "最多撤下已发布方案的 3 对" in html


def test_run_form_takes_a_change_cap(demo_client):

    units, communities = demo_places()
    demo_client.post("/login", data={"username": "reviewer", "password": "demo-pass"})
    response = demo_client.post(
        "/review/plans/new", data=plan_form(communities, units, max_changes="4")
    )
    assert response.status_code == 302
    plan = db.session.scalar(
        select(pairing_plans.PairingPlan).order_by(pairing_plans.PairingPlan.id.desc())
    )
    assert plan.max_changes == 4 and _dropped(plan) <= 4
    bad = demo_client.post(
        "/review/plans/new", data=plan_form(communities, units, max_changes="-3")
    )
    assert bad.status_code == 400 and "必须在 0 到 10000 之间" in bad.get_data(as_text=True)
