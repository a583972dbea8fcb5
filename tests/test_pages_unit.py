"""Unit pages: offers (facilities and services), browsing needs, claiming, projects."""

from datetime import time

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Claim, Need, Offer, PairingPlan, PlanPair
from tests.factories import make_community, make_county, make_need, make_offer, service_type
from tests.pages_helpers import count, signed_in
from tests.snapshots import database_fingerprint

CONFIRMED = {"confirmed": "1"}  # said yes to the confirmation (marketplace.web.confirmation)


def _facility_form(**overrides):
    data = {
        "title": "党员活动室",
        "facility_kind": "activity_room",
        "capacity": "40",
        "address": "人民路 1 号",
        "open_weekdays": ["0", "2", "4"],
        "open_from": "08:30",
        "open_until": "17:30",
        "is_free": "y",
        "description": "周末可预约",
    }
    data.update(overrides)
    return data


def test_new_facility_and_service_through_the_pages(client, login_as):
    secretary = login_as("unit")
    assert "新增场地设施" in client.get("/unit/offers/new/facility").get_data(as_text=True)
    response = client.post("/unit/offers/new/facility", data=_facility_form(unit_id="999"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/unit/offers")
    facility = db.session.scalar(select(Offer).where(Offer.kind == "facility"))
    assert (facility.unit_id, facility.facility_kind, facility.capacity) == (
        secretary.unit_id,
        "activity_room",
        40,
    )
    assert (facility.open_weekdays, facility.open_from) == (0b10101, time(8, 30))
    assert (facility.is_free, facility.is_public) == (True, False)  # unchecked box = not public

    form = client.get("/unit/offers/new/service").get_data(as_text=True)
    assert "<optgroup" in form and "每月可提供数量" in form and "开放日" not in form
    data = {"title": "法律咨询", "type_id": str(service_type().id), "monthly_quantity": "4"}
    assert client.post("/unit/offers/new/service", data=data).status_code == 302
    service = db.session.scalar(select(Offer).where(Offer.kind == "service"))
    assert (service.monthly_quantity, service.service_type.code) == (4, "legal_advice")
    listed = client.get("/unit/offers").get_data(as_text=True)
    assert (
        "党员活动室" in listed and "法律咨询" in listed and "周一、周三、周五 08:30-17:30" in listed
    )


def test_bad_offer_input_is_shown_field_by_field_and_nothing_written(client, login_as):
    login_as("unit")
    data = _facility_form(title="", capacity="0", open_from="18:00", open_until="09:00")
    response = client.post("/unit/offers/new/facility", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写名称。" in html and "容量应在 1 到 100000 之间。" in html
    assert "结束时间须晚于开始时间。" in html
    assert 'value="人民路 1 号"' in html and 'value="18:00"' in html
    assert count(Offer) == 0


def test_edit_withdraw_publish_own_offer_and_refuse_anothers(app, client, login_as):
    secretary = login_as("unit")
    own = make_offer(kind="facility", unit_id=secretary.unit_id, title="旧名称")
    foreign = make_offer(title="别家的服务")
    form = client.get(f"/unit/offers/{own.id}/edit").get_data(as_text=True)
    assert 'value="旧名称"' in form and "checked" in form  # workday boxes from the bitmask
    data = _facility_form(title="新名称", facility_kind="meeting_room")
    assert client.post(f"/unit/offers/{own.id}/edit", data=data).status_code == 302
    assert db.session.get(Offer, own.id).title == "新名称"
    db.session.commit()
    assert client.post(f"/unit/offers/{own.id}/withdraw").status_code == 302
    assert db.session.get(Offer, own.id).status == "withdrawn"
    db.session.commit()
    assert client.post(f"/unit/offers/{own.id}/publish").status_code == 302
    assert db.session.get(Offer, own.id).status == "published"
    db.session.commit()
    offer_page = client.get(f"/offers/{own.id}").get_data(as_text=True)
    assert "操作记录" in offer_page and "撤回资源" in offer_page

    before = database_fingerprint()
    assert client.get(f"/unit/offers/{foreign.id}/edit").status_code == 403
    data = {"title": "抢过来", "monthly_quantity": "9", "type_id": str(service_type().id)}
    assert client.post(f"/unit/offers/{foreign.id}/edit", data=data).status_code == 403
    assert client.post(f"/unit/offers/{foreign.id}/withdraw").status_code == 403
    _community, community_client = signed_in(app, "community")
    before = database_fingerprint()
    assert community_client.post(
        "/unit/offers/new/facility", data=_facility_form()
    ).status_code == (403)
    assert database_fingerprint() == before


def test_claim_on_the_need_page_and_withdraw(client, login_as):
    secretary = login_as("unit")
    need = make_need(quantity=5)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "认领此需求（剩余 5 人次）" in page
    response = client.post(f"/unit/needs/{need.id}/claim", data={"quantity": "2", "note": "周末"})
    assert response.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.need_id == need.id))
    assert (claim.unit_id, claim.quantity, claim.status) == (secretary.unit_id, 2, "proposed")
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "我单位的认领" in page and "撤回认领" in page and "认领此需求" not in page
    assert client.post(f"/unit/claims/{claim.id}/withdraw", data=CONFIRMED).status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).status == "withdrawn"
    assert db.session.get(Need, need.id).claimed == 0


def test_bad_or_excessive_claims_are_refused_and_nothing_written(client, login_as):
    login_as("unit")
    need = make_need(quantity=3)
    response = client.post(f"/unit/needs/{need.id}/claim", data={"quantity": "0"})
    assert response.status_code == 400
    assert "认领数量应在 1 到 100000 之间。" in response.get_data(as_text=True)
    response = client.post(f"/unit/needs/{need.id}/claim", data={"quantity": "abc"})
    assert response.status_code == 400 and 'value="abc"' in response.get_data(as_text=True)
    response = client.post(
        f"/unit/needs/{need.id}/claim", data={"quantity": "4"}, follow_redirects=True
    )
    assert "剩余数量不足" in response.get_data(as_text=True)
    assert count(Claim) == 0
    assert db.session.get(Need, need.id).claimed == 0


def test_claim_actions_refused_for_another_unit_and_for_community_staff(app, client, login_as):
    login_as("unit")
    need = make_need(quantity=5)
    _other, other_client = signed_in(app, "unit")
    other_client.post(f"/unit/needs/{need.id}/claim", data={"quantity": "2"})
    claim_id = db.session.scalar(select(Claim.id))
    _staff, staff_client = signed_in(app, "community", community_id=need.community_id)
    before = database_fingerprint()
    assert client.post(f"/unit/claims/{claim_id}/withdraw", data=CONFIRMED).status_code == 403
    assert client.get(f"/unit/claims/{claim_id}/progress").status_code == 403
    data = {"percent": "10", "note": "冒充"}
    assert client.post(f"/unit/claims/{claim_id}/progress", data=data).status_code == 403
    assert staff_client.post(
        f"/unit/needs/{need.id}/claim", data={"quantity": "1"}
    ).status_code == (403)
    assert database_fingerprint() == before


def test_progress_before_acceptance_is_refused(app, client, login_as):
    login_as("unit")
    need = make_need(quantity=5)
    client.post(f"/unit/needs/{need.id}/claim", data={"quantity": "1"})
    claim_id = db.session.scalar(select(Claim.id))
    db.session.commit()
    before = database_fingerprint()
    response = client.post(
        f"/unit/claims/{claim_id}/progress",
        data={"percent": "10", "note": "开始了", "next": f"/needs/{need.id}"},
        follow_redirects=True,
    )
    assert "不能报告进展" in response.get_data(as_text=True)
    assert database_fingerprint() == before
    response = client.post(f"/unit/claims/{claim_id}/progress", data={"percent": "101"})
    assert response.status_code == 400
    assert "完成进度应在 0 到 100 之间。" in response.get_data(as_text=True)
    assert "请填写进展情况。" in response.get_data(as_text=True)


def test_browse_filters_and_paired_communities_first(client, login_as):
    secretary = login_as("unit")
    paired = make_community(name="结对的社区")
    other = make_community(name="别的社区")
    make_need(community=other, title="别处的需求", urgency=3)
    make_need(community=paired, title="结对社区的需求", urgency=1)
    make_need(community=other, title="教育需求", service_type=service_type("homework_tutoring"))
    plan = PairingPlan(county_id=make_county().id, version=1, status="published")
    db.session.add(plan)
    db.session.flush()
    db.session.add(PlanPair(plan_id=plan.id, unit_id=secretary.unit_id, community_id=paired.id))
    db.session.commit()

    html = client.get("/unit/needs").get_data(as_text=True)
    assert html.index("结对社区的需求") < html.index("别处的需求")
    assert html.count("结对社区</span>") == 1
    tutoring = service_type("homework_tutoring")
    html = client.get(f"/unit/needs?category_id={tutoring.category_id}").get_data(as_text=True)
    assert "教育需求" in html and "别处的需求" not in html
    html = client.get(f"/unit/needs?community_id={other.id}&q=教育").get_data(as_text=True)
    assert "教育需求" in html and "别处的需求" not in html and "结对社区的需求" not in html
    assert client.get("/unit/needs?status=bogus").status_code == 400
