"""The reviewer's pages and the pairs page, driven through the browser-facing views."""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEntry, Community, PairingPlan, PlanPair, User
from marketplace.services.pairing import pairing_plans
from marketplace.services.pairing.plan_inputs import PlanInputs
from tests.helpers.review import demo_places, plan_form

CONFIRMED = {"confirmed": "1"}  # said yes to the confirmation (marketplace.web.confirmation)


def _latest_plan() -> PairingPlan:
    return db.session.scalar(select(PairingPlan).order_by(PairingPlan.id.desc()).limit(1))


def test_reviewer_runs_inspects_adjusts_and_exports(demo_client, demo_auth):
    units, communities = demo_places()
    assert demo_auth.login("reviewer").status_code == 302
    assert "求解并保存草稿" in demo_client.get("/review/plans/new").get_data(as_text=True)
    response = demo_client.post("/review/plans/new", data=plan_form(communities, units))
    assert response.status_code == 302
    plan = _latest_plan()
    assert response.headers["Location"].endswith(f"/review/plans/{plan.id}")

    page = demo_client.get(f"/review/plans/{plan.id}").get_data(as_text=True)
    assert "<svg" in page and "得分表" in page and "结对示意图" in page
    assert all(community.name in page for community in communities)
    assert "仍未覆盖" in page and "需求覆盖" in page and "提交审核" in page

    pair = db.session.scalar(select(PlanPair).where(PlanPair.plan_id == plan.id).limit(1))
    unit_name, forbidden = pair.unit.name, (pair.unit_id, pair.community_id)
    response = demo_client.post(
        f"/review/plans/{plan.id}/adjust",
        data={"kind": "forbid", "unit_id": forbidden[0], "community_id": forbidden[1]},
    )
    assert response.status_code == 302
    page = demo_client.get(f"/review/plans/{plan.id}").get_data(as_text=True)
    assert "已调整并重新求解" in page and f"禁止结对：{unit_name}" in page
    db.session.expire_all()
    assert forbidden not in {(p.unit_id, p.community_id) for p in plan.pairs}

    response = demo_client.get(f"/review/plans/{plan.id}/export.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert response.status_code == 200 and len(book.sheetnames) == 12
    response = demo_client.get(f"/review/plans/{plan.id}/export.csv")
    assert response.mimetype == "text/csv" and response.get_data(as_text=True).count("\n") == 89
    listing = demo_client.get("/review/plans?status=draft").get_data(as_text=True)
    assert "测试方案" in listing and "2025 年度结对" not in listing


def test_infeasible_run_shows_the_reason_and_keeps_input(demo_client, demo_auth):
    units, communities = demo_places()
    demo_auth.login("reviewer")
    target = communities[0]
    form = plan_form(communities, units, **{f"min_{target.id}": "9", f"max_{target.id}": "9"})
    response = demo_client.post("/review/plans/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "无法求解" in page
    assert re.search(rf'name="min_{target.id}"[^>]*value="9"', page)
    assert _latest_plan().version == 1  # nothing was saved

    bad = plan_form(communities, units, **{f"min_{target.id}": "5", f"max_{target.id}": "3"})
    bad["coverage"] = "-1"
    page = demo_client.post("/review/plans/new", data=bad).get_data(as_text=True)
    assert "最多不能小于最少" in page or "权重必须在 0 到 100 之间" in page


def test_review_flow_through_pages_and_pairs_for_community(demo_client, demo_auth):
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    plan = pairing_plans.create_plan(reviewer, pairing_plans.default_county().id, PlanInputs())
    plan_id = plan.id
    demo_auth.login("reviewer")
    demo_client.post(f"/review/plans/{plan_id}/submit")
    page = demo_client.post(f"/review/plans/{plan_id}/approve", follow_redirects=True)
    assert "不能批准自己创建" in page.get_data(as_text=True)
    refusal = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "access.refused")
        .order_by(AuditEntry.id.desc())
    )
    assert refusal is not None and "不能批准自己创建" in refusal.detail
    demo_auth.logout()
    demo_auth.login("reviewer2")
    demo_client.post(
        f"/review/plans/{plan_id}/publish", data=CONFIRMED
    )  # refused: not approved yet
    assert db.session.get(PairingPlan, plan_id).status == "under_review"
    demo_client.post(f"/review/plans/{plan_id}/approve")
    demo_client.post(f"/review/plans/{plan_id}/publish", data=CONFIRMED)
    db.session.expire_all()
    assert db.session.get(PairingPlan, plan_id).status == "published"
    compare = demo_client.get(f"/review/plans/{plan_id}/compare").get_data(as_text=True)
    assert "当前没有其他已发布方案" in compare
    demo_auth.logout()

    demo_auth.login("community01")
    community = db.session.scalar(
        select(Community)
        .join(User, User.community_id == Community.id)
        .where(User.username == "community01")
    )
    page = demo_client.get("/pairs/").get_data(as_text=True)
    units = db.session.scalars(
        select(PlanPair).where(PlanPair.plan_id == plan_id, PlanPair.community_id == community.id)
    ).all()
    assert len(units) == 8 and all(pair.unit.name in page for pair in units)
    assert units[0].unit.contact_phone in page
    assert demo_client.get("/review/plans").status_code == 403
    demo_auth.logout()

    unit_user = db.session.scalar(select(User).where(User.unit_id == units[0].unit_id))
    demo_auth.login(unit_user.username)
    page = demo_client.get("/pairs/").get_data(as_text=True)
    assert community.name in page and "本单位的结对社区" in page


def test_compare_page_lists_added_and_removed(demo_client, demo_auth):
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    plan = pairing_plans.create_plan(reviewer, pairing_plans.default_county().id, PlanInputs())
    demo_auth.login("reviewer")
    page = demo_client.get(f"/review/plans/{plan.id}/compare").get_data(as_text=True)
    assert "新增结对" in page and "取消结对" in page and "<svg" in page
    old = {
        (pair.unit.name, pair.community.name)
        for pair in db.session.scalars(
            select(PlanPair).join(PairingPlan).where(PairingPlan.status == "published")
        )
    }
    new = {
        (pair.unit.name, pair.community.name)
        for pair in db.session.scalars(select(PlanPair).where(PlanPair.plan_id == plan.id))
    }
    added = re.search(r'id="added-pairs">(.*?)</ul>', page, re.S).group(1)
    assert added.count("<li>") == len(new - old)
    assert all(f"{u} → {c}" in added for u, c in new - old)


def test_plan_pages_run_a_bounded_number_of_queries(demo_client, demo_auth):
    """88 pairs must not mean 88 queries: the pairs load with their units and communities."""
    from sqlalchemy import event

    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    plan_id = pairing_plans.create_plan(
        reviewer, pairing_plans.default_county().id, PlanInputs()
    ).id
    demo_auth.login("reviewer")
    # covered/uncovered needs load for all communities at once, not once per community;
    # scoring reads the communities' preferences in one more query
    limits = {f"/review/plans/{plan_id}": 32, f"/review/plans/{plan_id}/compare": 32}
    for path, limit in limits.items():
        statements = []

        def count(*args, statements=statements):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert demo_client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(statements) <= limit, (path, len(statements))


def test_review_pages_answer_on_an_empty_database(client, login_as):
    """Regression: the dashboard 404ed when no county existed yet (test_auth caught it)."""
    login_as("reviewer")
    assert client.get("/review/").status_code == 200
    assert client.get("/review/plans").status_code == 200
    response = client.get("/review/plans/new")
    assert response.status_code == 404 and "尚未导入" in response.get_data(as_text=True)


def test_infeasible_run_marks_the_named_community(demo_client, demo_auth):
    units, communities = demo_places()
    demo_auth.login("reviewer")
    target = communities[2]
    form = plan_form(communities, units, **{f"min_{target.id}": "2", f"max_{target.id}": "2"})
    for index, unit in enumerate(units[:3]):  # three pinned to a community that takes two
        form[f"pinned-{index}-unit"], form[f"pinned-{index}-community"] = unit.id, target.id
    response = demo_client.post("/review/plans/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    marked = re.findall(r'<tr class="table-danger">\s*<td>([^<]+)', page)
    assert [name.strip() for name in marked] == [target.name]
    assert f"社区“{target.name}”" in page  # named, not numbered


def test_plan_page_shows_blocking_pairs_and_compare_page_the_stable_plan(demo_client, demo_auth):
    from marketplace.services.pairing import plan_stability

    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    plan = pairing_plans.create_plan(reviewer, pairing_plans.default_county().id, PlanInputs())
    blocking = plan_stability.plan_blocking_pairs(plan.id)
    demo_auth.login("reviewer")
    page = demo_client.get(f"/review/plans/{plan.id}").get_data(as_text=True)
    table = re.search(r'id="blocking-pairs">(.*?)</table>', page, re.S).group(1)
    assert table.count("<tr>") == 1 + min(20, len(blocking))
    assert blocking[0].unit.name in table and blocking[0].community.name in table
    compare = demo_client.get(f"/review/plans/{plan.id}/compare?stable=units")
    text = compare.get_data(as_text=True)
    assert compare.status_code == 200 and "稳定方案总分（单位提议）" in text
    assert f"{len(blocking)} → 0" in text and 'id="only-in-stable"' in text
    assert demo_client.get(f"/review/plans/{plan.id}/compare?stable=x").status_code == 400
