"""The yearly two-way grading: communities grade their paired units, units their
communities, once per pair and year, from the plans in force that year."""

from datetime import UTC, datetime

import pytest

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.extensions import db
from marketplace.models import PairingPlan
from marketplace.services.oversight import annual_grades, assessment, assessment_parts
from marketplace.services.oversight.oversight_calendar import county_today
from tests.factories import make_community
from tests.oversight_helpers import PairWorld, publish_pairs
from tests.test_api_marketplace import Api


@pytest.fixture
def world(app):
    return PairWorld()


def test_a_community_grades_each_paired_unit_once_a_year(world):
    year = county_today().year
    rows = annual_grades.grade_rows(world.staff, year)
    assert [row.other_id for row in rows] == sorted([world.unit.id, world.second_unit.id])
    grade = annual_grades.grade(
        world.staff, {"year": year, "unit_id": world.unit.id, "stars": 4, "comment": "积极"}
    )
    assert (grade.unit_id, grade.community_id, grade.stars) == (
        world.unit.id,
        world.community.id,
        4,
    )
    with pytest.raises(Conflict, match="每年一次"):
        annual_grades.grade(world.staff, {"year": year, "unit_id": world.unit.id, "stars": 5})
    with pytest.raises(InvalidInput, match="结对"):
        annual_grades.grade(world.staff, {"year": year, "unit_id": world.other_unit.id, "stars": 5})
    with pytest.raises(InvalidInput, match="请选择评分"):
        annual_grades.grade(world.staff, {"year": year, "unit_id": world.second_unit.id})
    with pytest.raises(InvalidInput, match="尚未到来"):
        annual_grades.grade(world.staff, {"year": year + 1, "unit_id": world.unit.id, "stars": 5})
    with pytest.raises(Forbidden):
        annual_grades.grade(world.reviewer, {"unit_id": world.unit.id, "stars": 5})
    assert assessment_parts.unit_grades(year) == {world.unit.id: 4.0}


def test_a_unit_grades_its_communities_and_it_counts_in_its_review_part(world):
    year = county_today().year
    assert assessment_parts.two_way_reviews(year)[world.unit.id] == 0.0
    annual_grades.grade(world.unit_user, {"community_id": world.community.id, "stars": 5})
    assert assessment_parts.two_way_reviews(year)[world.unit.id] == 100.0
    assert assessment.community_ratings(year) == {world.community.id: (5.0, 1)}


def test_pairs_come_from_every_plan_in_force_during_the_year(world):
    year = county_today().year
    db.session.execute(
        PairingPlan.__table__.update().values(status="superseded")
    )  # the PairWorld plan ends when the next one is published, inside the year
    later = make_community()
    publish_pairs([(world.other_unit, later)], datetime(year, 1, 2, tzinfo=UTC))
    pairs = annual_grades.year_pairs(year)
    assert (world.unit.id, world.community.id) in pairs  # held for part of the year
    assert (world.other_unit.id, later.id) in pairs
    assert annual_grades.year_pairs(year - 30) == set()


def test_api_grades_both_ways(world, client):
    unit_api, staff_api = Api(client, world.unit_user), Api(client, world.staff)
    body = {"community_id": world.community.id, "stars": 4, "comment": "支持到位"}
    response = unit_api.post("/annual-grades", body)
    assert response.status_code == 201 and response.json["grader"] == "unit"
    assert unit_api.post("/annual-grades", body).status_code == 409
    response = staff_api.post("/annual-grades", {"unit_id": world.unit.id, "stars": 0})
    assert response.status_code == 400 and response.json["field"] == "stars"
    listed = staff_api.get("/annual-grades").json
    assert {row["id"] for row in listed["pairs"]} == {world.unit.id, world.second_unit.id}
