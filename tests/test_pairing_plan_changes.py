"""Publishing shows its consequences first: a default cap on dropped pairs, lifted only with
a reason; kept / dropped / added at submit, approve and publish; the changed pairs told.

Regression: the default run dropped 47 of the demo county's 88 pairs (53 %) and nothing
warned at submit, approve or publish.
"""

import pytest
from sqlalchemy import func, select

from marketplace.config import ConfigError, build_config
from marketplace.extensions import db
from marketplace.models import AuditEntry, Notification, PairingPlan
from marketplace.services.pairing import plan_stability
from tests.helpers.review import demo_places as _places
from tests.helpers.review import plan_form as _run_form
from tests.test_compliance_pair_life import _headers, publish_default_plan

PLANS = "/api/v1/pairing-plans"


def test_the_default_run_drops_at_most_the_setting(demo_client):
    plan = publish_default_plan(demo_client)
    change = plan["consequences"]
    assert change["published_pairs"] == 88
    assert change["dropped"] <= 22 and change["dropped_share"] <= 0.25
    assert change["kept"] + change["dropped"] == 88 and change["added"] == change["dropped"]
    assert plan["inputs"]["max_change_share"] == 0.25 and plan["inputs"]["max_changes"] == 22
    dropped = {(p["unit_id"], p["community_id"]) for p in change["dropped_pairs"]}
    assert len(dropped) == change["dropped"]
    told = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.kind == "pairing.dropped")
    )
    added = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.kind == "pairing.added")
    )
    assert (told > 0) == (change["dropped"] > 0) and (added > 0) == (change["added"] > 0)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"max_change_share": 0.6}, "change_reason", "理由"),
        ({"max_change_share": 0.6, "change_reason": "   "}, "change_reason", "理由"),
        ({"max_change_share": 1.5}, "max_change_share", "0 到 1"),
        ({"max_change_share": "很多"}, "max_change_share", "0 到 1"),
        ({"max_change_share": True}, "max_change_share", "0 到 1"),
        ({"max_changes": 60}, "change_reason", "理由"),
    ],
)
def test_lifting_the_cap_needs_a_reason(demo_client, body, field, words):
    plans = db.session.scalar(select(func.count()).select_from(PairingPlan))
    answer = demo_client.post(PLANS, json=body, headers=_headers("reviewer"))
    assert answer.status_code == 400, answer.json
    assert answer.json["field"] == field and words in answer.json["error"]
    assert db.session.scalar(select(func.count()).select_from(PairingPlan)) == plans


def test_a_lifted_cap_is_recorded_with_its_reason_and_warned(demo_client, demo_auth):
    reason = "县委决定按新划分的网格重新结对"
    body = {"max_change_share": 1, "change_reason": reason}
    answer = demo_client.post(PLANS, json=body, headers=_headers("reviewer"))
    assert answer.status_code == 201, answer.json
    plan = db.session.get(PairingPlan, answer.json["id"])
    assert (plan.max_change_share, plan.max_changes, plan.change_reason) == (1.0, None, reason)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pairing_plan.create"))
    assert entry.detail == reason and entry.after["max_change_share"] == 1.0
    submitted = demo_client.post(f"{PLANS}/{plan.id}/submit", headers=_headers("reviewer"))
    change = submitted.json["consequences"]
    assert change["dropped_share"] > 0.25 and change["change_reason"] == reason

    demo_auth.login("reviewer2")
    page = demo_client.get(f"/review/plans/{plan.id}").get_data(as_text=True)
    assert "发布后将带来的变化" in page and f"撤下 <strong>{change['dropped']}</strong> 对" in page
    assert "超过本县默认上限" in page and reason in page


def test_the_run_form_keeps_the_cap_and_asks_for_a_reason_beside_it(demo_client, demo_auth):
    demo_auth.login("reviewer")
    form = demo_client.get("/review/plans/new").get_data(as_text=True)
    assert 'name="max_change_percent"' in form and 'name="change_reason"' in form
    units, communities = _places()
    answer = demo_client.post(
        "/review/plans/new", data=_run_form(communities, units, max_change_percent="80")
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "请在 change_reason 中写明放宽上限的理由" in page and 'value="80' in page


def test_the_compare_page_says_the_cap_binds_only_the_optimum(demo_client, demo_auth):
    answer = demo_client.post(PLANS, json={"max_changes": 5}, headers=_headers("reviewer"))
    assert answer.status_code == 201, answer.json
    plan_id = answer.json["id"]
    comparison = plan_stability.compare_with_stable(plan_id, "units")
    assert comparison.stable_dropped > 5
    demo_auth.login("reviewer")
    page = demo_client.get(f"/review/plans/{plan_id}/compare?stable=units").get_data(as_text=True)
    if comparison.stable_total > comparison.plan_total:
        assert comparison.cap_explains_gap
        assert "调整上限只约束本方案" in page and f"撤下了 {comparison.stable_dropped} 对" in page
    else:
        assert "调整上限只约束本方案" not in page
    stable = demo_client.get(f"{PLANS}/{plan_id}/stable", headers=_headers("reviewer")).json
    assert stable["stable_dropped"] == comparison.stable_dropped
    assert stable["cap_explains_gap"] == comparison.cap_explains_gap


def test_the_setting_is_checked_at_start_up():
    with pytest.raises(ConfigError, match="PAIRING_MAX_CHANGE_SHARE"):
        build_config({"SECRET_KEY": "x" * 40, "PAIRING_MAX_CHANGE_SHARE": 1.5})
    assert build_config({"SECRET_KEY": "x" * 40})["PAIRING_MAX_CHANGE_SHARE"] == 0.25
