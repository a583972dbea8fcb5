"""Coverage: communities × categories, with needs no paired unit can serve marked."""

import pytest

from marketplace.errors import Forbidden
from marketplace.services.oversight import coverage
from tests.factories import make_need, make_offer, service_type
from tests.oversight_helpers import PairWorld


@pytest.fixture
def world(app):
    return PairWorld()


def test_open_claimed_done_and_uncovered(world):
    legal = service_type("legal_advice")
    make_offer(unit=world.unit, service_type=legal)
    make_need(community=world.community, service_type=legal)  # open, covered
    make_need(community=world.community, service_type=legal, status="in_progress")
    make_need(community=world.community, service_type=legal, status="evaluated")
    other_type = next(t for t in legal.category.types if t.id != legal.id)
    make_need(community=world.community, service_type=other_type)  # open, uncovered
    make_need(community=world.community, service_type=legal, status="draft")  # not counted
    grid = coverage.coverage_grid(world.township_user)
    cell = grid.cell(world.community.id, legal.category_id)
    assert (cell.open, cell.claimed, cell.done, cell.uncovered) == (2, 1, 1, 1)
    assert grid.cell(world.other_community.id, legal.category_id).total == 0
    assert len(grid.categories) == 12


def test_a_township_sees_only_its_communities(world):
    grid = coverage.coverage_grid(world.far_township_user)
    assert grid.communities == []
    with pytest.raises(Forbidden):
        coverage.coverage_detail(world.far_township_user, world.community.id, 1)
    with pytest.raises(Forbidden):
        coverage.coverage_grid(world.staff)


def test_drill_down_marks_each_need(world):
    legal = service_type("legal_advice")
    need = make_need(community=world.community, service_type=legal)
    detail = coverage.coverage_detail(world.reviewer, world.community.id, legal.category_id)
    assert [(row["need"].id, row["bucket"], row["covered"]) for row in detail["rows"]] == [
        (need.id, "open", False)
    ]
