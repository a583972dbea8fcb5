"""Community pages: the need form, publish/withdraw, claims on the need page, projects."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import AuditEntry, Category, Claim, Evaluation, Need, ProgressReport
from tests.factories import make_need, make_user
from tests.pages_helpers import count, need_form, signed_in
from tests.snapshots import database_fingerprint

CONFIRMED = {"confirmed": "1"}  # said yes to the confirmation (marketplace.web.confirmation)


def _need_id(response) -> int:
    match = re.search(r"/needs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def test_need_form_groups_the_53_types_by_category(client, login_as):
    login_as("community")
    html = client.get("/community/needs/new").get_data(as_text=True)
    categories = db.session.scalars(select(Category.name)).all()
    assert len(categories) == 12
    for name in categories:
        assert f'<optgroup label="{name}">' in html
    assert html.count("<option") >= 53
    assert "保存草稿" in html and "保存并发布" in html


def test_create_draft_publish_and_withdraw_through_pages(client, login_as):
    staff = login_as("community")
    response = client.post("/community/needs/new", data=need_form(save_draft="保存草稿"))
    assert response.status_code == 302
    need_id = _need_id(response)
    need = db.session.get(Need, need_id)
    assert (need.status, need.community_id, need.quantity) == ("draft", staff.community_id, 5)
    listed = client.get("/community/needs?status=draft").get_data(as_text=True)
    assert "老旧小区楼道清洁" in listed

    assert client.post(f"/community/needs/{need_id}/publish").status_code == 302
    assert db.session.get(Need, need_id).status == "published"
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    assert "操作记录" in page and "发布需求" in page and "创建需求" in page  # labels, not codes
    assert "need.publish" not in page

    assert client.post(f"/community/needs/{need_id}/withdraw", data=CONFIRMED).status_code == 302
    db.session.expire_all()
    assert db.session.get(Need, need_id).status == "withdrawn"


def test_publish_button_creates_a_published_need(client, login_as):
    login_as("community")
    response = client.post("/community/needs/new", data=need_form(publish="保存并发布"))
    assert db.session.get(Need, _need_id(response)).status == "published"


def test_bad_input_rerenders_with_chinese_messages_keeps_values_writes_nothing(client, login_as):
    login_as("community")
    before = count(Need)
    data = need_form(
        title="",
        quantity="十个",
        description="楼道里堆满杂物",
        starts_on="2030-05-10",
        ends_on="2030-05-01",
    )
    response = client.post("/community/needs/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写标题。" in html
    assert "不是有效的整数" in html
    assert "截止日期不能早于开始日期。" in html
    assert "楼道里堆满杂物" in html and 'value="十个"' in html and 'value="2030-05-10"' in html
    assert count(Need) == before


def test_service_refusal_is_shown_next_to_its_field(client, login_as):
    login_as("community")
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    data = need_form(starts_on=(clock.today() - timedelta(days=9)).isoformat(), ends_on=yesterday)
    response = client.post("/community/needs/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="ends_on"[^>]*is-invalid|is-invalid[^>]*id="ends_on"', html)
    assert "结束日期不能早于今天。" in html
    assert count(Need) == 0


def test_extra_fields_in_the_form_are_ignored(client, login_as):
    staff = login_as("community")
    other = make_user("community")
    data = need_form(
        save_draft="1", status="completed", claimed="4", community_id=str(other.community_id)
    )
    need = db.session.get(Need, _need_id(client.post("/community/needs/new", data=data)))
    assert (need.status, need.claimed, need.community_id) == ("draft", 0, staff.community_id)


def test_edit_own_need_and_refuse_another_communitys(client, login_as):
    staff = login_as("community")
    own = make_need(community_id=staff.community_id, title="旧标题")
    foreign = make_need(title="别人的需求")
    form = client.get(f"/community/needs/{own.id}/edit").get_data(as_text=True)
    assert 'value="旧标题"' in form
    response = client.post(f"/community/needs/{own.id}/edit", data=need_form(title="新标题"))
    assert response.status_code == 302
    assert db.session.get(Need, own.id).title == "新标题"
    db.session.commit()  # end the test's transaction: SQLite lets one writer in at a time

    before = database_fingerprint()
    assert client.get(f"/community/needs/{foreign.id}/edit").status_code == 403
    for path in ("edit", "publish", "withdraw"):
        data = need_form(title="改掉") if path == "edit" else CONFIRMED
        assert client.post(f"/community/needs/{foreign.id}/{path}", data=data).status_code == 403
    assert database_fingerprint() == before


def test_illegal_transition_is_flashed_and_changes_nothing(client, login_as):
    staff = login_as("community")
    need = make_need(community_id=staff.community_id, status="completed")
    before = database_fingerprint()
    response = client.post(
        f"/community/needs/{need.id}/withdraw", data=CONFIRMED, follow_redirects=True
    )
    assert response.status_code == 200
    assert "不能撤回" in response.get_data(as_text=True)
    data = need_form(title="改标题", next=f"/needs/{need.id}")  # as the edit page sends it
    response = client.post(f"/community/needs/{need.id}/edit", data=data)
    assert response.headers["Location"].endswith(f"/needs/{need.id}")
    assert "不能再修改" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert database_fingerprint() == before


@pytest.mark.parametrize("role", ["unit", "reviewer", "admin"])
def test_other_roles_cannot_use_community_pages(client, login_as, role):
    login_as(role)
    assert client.get("/community/needs/new").status_code == 403
    assert client.post("/community/needs/new", data=need_form()).status_code == 403
    assert count(Need) == 0


def _claimed_need(app, staff, quantity=5):
    need = make_need(community_id=staff.community_id, quantity=quantity)
    unit_user, unit_client = signed_in(app, "unit")
    response = unit_client.post(f"/unit/needs/{need.id}/claim", data={"quantity": "3"})
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.need_id == need.id))
    db.session.commit()  # end the test's transaction before the next request or snapshot
    return need, claim, unit_user, unit_client


def test_full_project_through_the_pages(app, client, login_as):
    staff = login_as("community")
    need, claim, unit_user, unit_client = _claimed_need(app, staff)
    assert db.session.get(Need, need.id).status == "partly_claimed"
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert unit_user.unit.name in page and "接受" in page and "婉拒" in page
    assert '<span class="badge text-bg-warning">1</span>' in client.get("/").get_data(as_text=True)

    assert client.post(f"/community/claims/{claim.id}/accept").status_code == 302
    assert db.session.get(Claim, claim.id).status == "accepted"

    response = unit_client.post(
        f"/unit/claims/{claim.id}/progress", data={"percent": "60", "note": "已清理两栋楼"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "in_progress"
    assert count(ProgressReport, ProgressReport.claim_id == claim.id) == 1
    progress_page = client.get(f"/community/claims/{claim.id}/progress").get_data(as_text=True)
    assert 'value="60"' in progress_page and "已清理两栋楼" in progress_page

    assert client.post(f"/community/claims/{claim.id}/done").status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "done"
    rating = {"stars": "4", "comment": "认真负责"}
    assert client.post(f"/community/claims/{claim.id}/rate", data=rating).status_code == 302
    evaluation = db.session.scalar(select(Evaluation).where(Evaluation.claim_id == claim.id))
    assert (evaluation.stars, evaluation.comment) == (4, "认真负责")

    projects = client.get("/community/projects").get_data(as_text=True)
    assert need.title in projects and "已清理两栋楼" in projects and "认真负责" in projects
    assert "<svg" in projects and "完成进度 100%" in projects
    assert "认真负责" in unit_client.get("/unit/ratings").get_data(as_text=True)
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "claim"))
    )
    assert {"claim.propose", "claim.accept", "claim.progress", "claim.complete", "claim.rate"} <= (
        actions
    )


def test_decline_frees_the_quantity(app, client, login_as):
    staff = login_as("community")
    need, claim, _unit_user, _unit_client = _claimed_need(app, staff)
    response = client.post(
        f"/community/claims/{claim.id}/decline", data={"reason": "已有安排", **CONFIRMED}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "declined"
    assert (db.session.get(Need, need.id).claimed, db.session.get(Need, need.id).status) == (
        0,
        "published",
    )


def test_claim_transitions_refused_in_the_wrong_state_or_for_another_community(
    app, client, login_as
):
    staff = login_as("community")
    _need, claim, _unit_user, _unit_client = _claimed_need(app, staff)
    before = database_fingerprint()
    for path, message in (("done", "不能标记完成"), ("rate", "不能评价")):
        data = {"stars": "5"} if path == "rate" else {}
        response = client.post(
            f"/community/claims/{claim.id}/{path}", data=data, follow_redirects=True
        )
        assert message in response.get_data(as_text=True), path
    assert database_fingerprint() == before

    _stranger, stranger_client = signed_in(app, "community")
    before = database_fingerprint()
    for path in ("accept", "decline", "done"):
        response = stranger_client.post(f"/community/claims/{claim.id}/{path}", data=CONFIRMED)
        assert response.status_code == 403
    assert stranger_client.get(f"/community/claims/{claim.id}/rate").status_code == 403
    assert database_fingerprint() == before


def test_rating_form_refuses_bad_stars_and_writes_nothing(app, client, login_as):
    staff = login_as("community")
    _need, claim, _unit_user, _unit_client = _claimed_need(app, staff)
    client.post(f"/community/claims/{claim.id}/accept")
    client.post(f"/community/claims/{claim.id}/done")
    response = client.post(f"/community/claims/{claim.id}/rate", data={"stars": "9"})
    assert response.status_code == 400
    assert "不是有效的选择" in response.get_data(as_text=True)
    assert count(Evaluation) == 0


def test_dashboard_shows_counts_and_status_chart(client, login_as):
    staff = login_as("community")
    make_need(community_id=staff.community_id, status="draft")
    make_need(community_id=staff.community_id)
    html = client.get("/community/").get_data(as_text=True)
    assert "<svg" in html and "本社区需求状态分布" in html
    assert "草稿：1" in html and "已发布：1" in html
