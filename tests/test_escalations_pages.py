"""The escalation pages: no unit chosen for the user, ranked suggestions, a confirmation,
refused forms shown again in place, and the units' own list of assigned work."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Escalation
from marketplace.services.oversight import escalation_queues, escalations
from tests.factories import make_community, make_need, make_offer, make_unit, service_type
from tests.oversight_helpers import publish_pairs, quick_user


def _world(login_as):
    """A township with one community; three units: paired + same type, paired only, neither."""
    township_user = login_as("township")
    community = make_community(township=township_user.township)
    staff = quick_user("community", community=community)
    need_type = service_type("legal_advice")
    first_by_name = make_unit(name="阿尔法通信公司")  # first by name: what used to be preselected
    paired_same = make_unit(name="县司法局")
    paired_other = make_unit(name="县文旅局")
    make_offer(unit=paired_same, service_type=need_type)
    publish_pairs([(paired_same, community), (paired_other, community)])
    need = make_need(community=community, service_type=need_type, title="法律咨询进社区")
    escalation = escalations.escalate_need(staff, need.id, {"reason": "多次发动无人认领"})
    return {
        "escalation": escalation,
        "first_by_name": first_by_name,
        "paired_same": paired_same,
        "paired_other": paired_other,
    }


def test_assign_form_preselects_no_unit_and_ranks_paired_units_offering_the_type(
    app, client, login_as
):
    world = _world(login_as)
    page = client.get(f"/escalations/{world['escalation'].id}").get_data(as_text=True)
    select_html = page[page.index('name="unit_id"') : page.index("</select>")]
    assert "selected" not in select_html
    assert '<option value="">请选择单位</option>' in select_html
    order = [select_html.index(u.name) for u in (world["paired_same"], world["paired_other"])]
    assert order[0] < order[1] < select_html.index(world["first_by_name"].name)
    assert "结对单位、提供同类服务" in page and "在办 0 项" in page


def test_submitting_the_placeholder_is_refused_in_place(app, client, login_as):
    world = _world(login_as)
    url = f"/escalations/{world['escalation'].id}/assign"
    response = client.post(url, data={"unit_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请选择承接单位。" in page
    assert "法律咨询进社区" in page  # the record stays in view
    assert db.session.get(Escalation, world["escalation"].id).status == "open"


def test_assigning_asks_for_confirmation_naming_the_unit_first(app, client, login_as):
    world = _world(login_as)
    escalation_id, unit = world["escalation"].id, world["paired_other"]
    url = f"/escalations/{escalation_id}/assign"
    response = client.post(url, data={"unit_id": unit.id})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "请确认统筹安排" in page and unit.name in page
    assert db.session.get(Escalation, escalation_id).status == "open"
    response = client.post(url, data={"unit_id": unit.id, "confirmed": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/escalations/{escalation_id}")
    db.session.expire_all()
    assert db.session.get(Escalation, escalation_id).assigned_unit_id == unit.id


def test_suggestions_put_lighter_load_first_within_a_tier(app, login_as):
    world = _world(login_as)
    busy = world["paired_same"]
    other_need = make_need(community=world["escalation"].community)
    db.session.add(
        escalations.Escalation(
            need=other_need,
            community_id=other_need.community_id,
            township_id=world["escalation"].township_id,
            reason="x",
            status="assigned",
            assigned_unit_id=busy.id,
        )
    )
    db.session.commit()
    rows = escalation_queues.assign_suggestions(world["escalation"])
    by_unit = {row.unit.id: row for row in rows}
    assert by_unit[busy.id].open_load == 1 and by_unit[busy.id].tier == 0
    assert by_unit[world["paired_other"].id].tier == 4
    assert by_unit[world["first_by_name"].id].tier == 5 and rows[-1].tier == 5


def test_unit_finds_assigned_work_in_its_menu_and_answers_in_place(app, client, login_as):
    township = quick_user("township")
    community = make_community(township=township.township)
    staff = quick_user("community", community=community)
    unit_user = login_as("unit")
    need = make_need(community=community, title="关爱独居老人")
    escalation = escalations.escalate_need(staff, need.id, {"reason": "无人认领"})
    escalations.assign(township, escalation.id, {"unit_id": unit_user.unit_id})
    home = client.get("/unit/").get_data(as_text=True)
    assert "统筹安排给本单位的事项" in home and 'href="/escalations/"' in home
    queue = client.get("/escalations/").get_data(as_text=True)
    assert "关爱独居老人" in queue and "承接或说明" in queue
    url = f"/escalations/{escalation.id}/answer"
    response = client.post(url, data={"accept": "0", "note": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写说明" in page and "关爱独居老人" in page
    response = client.post(url, data={"accept": "1", "note": "本周安排"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Escalation, escalation.id).status == "resolved"


def test_community_need_escalation_refused_in_place_keeps_the_input(app, client, login_as):
    staff = login_as("community")
    need = make_need(community=staff.community, title="助老送餐")
    response = client.post("/escalations/needs", data={"need_id": need.id, "reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写上报原因" in page
    assert f'<option selected value="{need.id}">' in page
    data = {"need_id": need.id, "reason": "无人认领"}
    assert client.post("/escalations/needs", data=data).status_code == 302
    response = client.post("/escalations/needs", data={"need_id": need.id, "reason": "again"})
    assert response.status_code == 400  # no longer escalatable: refused in the form
    count = db.session.scalars(select(Escalation).where(Escalation.need_id == need.id)).all()
    assert len(count) == 1
