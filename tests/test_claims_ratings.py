"""Two-way ratings of a finished project: the community rates the unit's work, the unit
rates the community's support; each side once, only when the claim is done."""

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden
from marketplace.models import AuditEntry, Claim
from marketplace.services.exchange import claim_ratings, claims
from marketplace.services.oversight import assessment_parts
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_need, make_user
from tests.test_api_marketplace import Api


@pytest.fixture
def project(db):
    staff = make_user("community")
    unit = make_user("unit")
    need = make_need(community=staff.community, quantity=2, title="助老送餐")
    claim = claims.claim_need(unit, need.id, 2)
    claims.accept_claim(staff, claim.id)
    return staff, unit, claim


def test_each_side_rates_once_after_the_work_is_done(db, project):
    staff, unit, claim = project
    with pytest.raises(Conflict, match="完成后"):
        claim_ratings.rate(unit, claim.id, 4, "社区配合积极")
    claims.complete_claim(staff, claim.id)
    support = claim_ratings.rate(unit, claim.id, 4, "社区配合积极")
    evaluation = claim_ratings.rate(staff, claim.id, 5, "认真负责")
    assert (support.stars, evaluation.stars) == (4, 5)
    with pytest.raises(Conflict, match="不能重复评价"):
        claim_ratings.rate(unit, claim.id, 3)
    with pytest.raises(Forbidden):
        claim_ratings.rate(make_user("unit"), claim.id, 3)
    db.session.expire_all()
    stored = db.session.get(Claim, claim.id)
    assert (stored.support_rating.stars, stored.evaluation.stars) == (4, 5)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "claim")
    ).all()
    assert "claim.rate_support" in actions and "claim.rate" in actions


def test_api_lets_the_unit_rate_and_answers_409_the_second_time(db, client, project):
    staff, unit, claim = project
    claims.complete_claim(staff, claim.id)
    api = Api(client, unit)
    first = api.post(f"/claims/{claim.id}/rating", {"stars": 5, "comment": "支持到位"})
    assert first.status_code == 201 and first.json["side"] == "unit"
    assert api.post(f"/claims/{claim.id}/rating", {"stars": 4}).status_code == 409
    bad = Api(client, staff).post(f"/claims/{claim.id}/rating", {"stars": 9})
    assert bad.status_code == 400 and bad.json["field"] == "stars"
    shown = api.get(f"/claims/{claim.id}").json
    assert shown["support_rating"]["stars"] == 5 and shown["evaluation"] is None


def test_unit_rates_on_its_page_and_a_refusal_stays_in_place(app, client, login_as):
    unit = login_as("unit")
    staff = make_user("community")
    need = make_need(community=staff.community, quantity=1, title="法律咨询")
    claim = claims.claim_need(unit, need.id, 1)
    claims.accept_claim(staff, claim.id)
    claims.complete_claim(staff, claim.id)
    assert "评价社区支持" in client.get("/unit/projects").get_data(as_text=True)
    form = client.get(f"/unit/claims/{claim.id}/rate").get_data(as_text=True)
    assert '<option selected value="">请选择评分</option>' in form  # no stars chosen for them
    response = client.post(f"/unit/claims/{claim.id}/rate", data={"stars": "", "comment": "好"})
    assert response.status_code == 400 and "请选择评分。" in response.get_data(as_text=True)
    response = client.post(
        f"/unit/claims/{claim.id}/rate", data={"stars": "4", "comment": "x" * 1001}
    )
    assert response.status_code == 400 and "法律咨询" in response.get_data(as_text=True)
    response = client.post(f"/unit/claims/{claim.id}/rate", data={"stars": "4", "comment": "好"})
    assert response.status_code == 302


def test_the_units_ratings_count_in_its_two_way_review_part(db, project):
    staff, unit, claim = project
    claims.complete_claim(staff, claim.id)
    year = county_today().year
    assert assessment_parts.two_way_reviews(year)[unit.unit_id] == 0.0
    claim_ratings.rate(unit, claim.id, 5)
    assert assessment_parts.two_way_reviews(year)[unit.unit_id] == 100.0
