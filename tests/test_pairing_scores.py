"""Pair scores from the database: parts, their order, continuity, needs covered."""

import numpy as np
import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import County, PairingPlan, PlanPair, ServiceType
from marketplace.pairing import solve
from marketplace.pairing.scoring import ScoreWeights, distance_km, proximity_matrix
from marketplace.services.pairing.pairing_scores import (
    county_problem,
    county_scores,
    needs_coverage,
)
from marketplace.services.pairing.plan_history import published_keys
from tests.factories import make_community, make_county, make_need, make_offer, make_unit


def _types_in_one_category_and_another():
    types = list(db.session.scalars(select(ServiceType).order_by(ServiceType.id)))
    first = types[0]
    sibling = next(t for t in types if t.category_id == first.category_id and t.id != first.id)
    stranger = next(t for t in types if t.category_id != first.category_id)
    return first, sibling, stranger


def test_demo_county_parts_sum_to_totals_and_published_pairs_get_continuity(demo_app):
    county = db.session.scalar(select(County))
    weights = ScoreWeights(coverage=0.5, proximity=0.3, continuity=0.2)
    scores = county_scores(county.id, weights)
    assert (len(scores.units), len(scores.communities)) == (88, 11)
    matrix = scores.matrix()
    assert matrix.shape == (88, 11)
    current = published_keys(county.id)
    assert len(current) == 88
    for row, unit in enumerate(scores.units):
        for column, community in enumerate(scores.communities):
            part = scores.parts[unit.id, community.id]
            assert part.total == pytest.approx(part.coverage + part.proximity + part.continuity)
            assert matrix[row, column] == pytest.approx(part.total)
            assert 0 <= part.coverage <= 0.5 and 0 < part.proximity <= 0.3
            expected = 0.2 if (unit.id, community.id) in current else 0.0
            assert part.continuity == expected
    assert matrix[:, :].max() > 0.5  # some unit covers a good share of some community


def test_demo_county_solves_to_eight_units_per_community(demo_app):
    county = db.session.scalar(select(County))
    scores = county_scores(county.id, ScoreWeights())
    result = solve(county_problem(scores, 8, 8))
    assert result.status == "optimal" and len(result.pairs) == 88
    per_community = {}
    for _unit, community in result.pairs:
        per_community[community] = per_community.get(community, 0) + 1
    assert set(per_community.values()) == {8}
    parts = scores.parts
    chosen = sum(parts[int(unit), int(community)].total for unit, community in result.pairs)
    assert result.total_score == pytest.approx(chosen)


def test_same_type_scores_above_same_category_above_nothing(app):
    first, sibling, stranger = _types_in_one_category_and_another()
    county = make_county()
    community = make_community()
    make_need(community=community, service_type=first, urgency=3, quantity=6)
    same_type, same_category, unrelated = (make_unit(county_id=county.id) for _ in range(3))
    make_offer(unit=same_type, service_type=first)
    make_offer(unit=same_category, service_type=sibling)
    make_offer(unit=unrelated, service_type=stranger)
    make_offer(unit=unrelated, service_type=first, status="withdrawn")  # does not count
    scores = county_scores(county.id, ScoreWeights(coverage=1, proximity=0, continuity=0))
    coverage = [scores.parts[u.id, community.id].coverage for u in scores.units]
    assert coverage == [1.0, 0.5, 0.0]


def test_coverage_weighs_urgency_and_remaining_quantity(app):
    first, _sibling, stranger = _types_in_one_category_and_another()
    county = make_county()
    community = make_community()
    make_need(community=community, service_type=first, urgency=3, quantity=10, claimed=6)
    make_need(community=community, service_type=stranger, urgency=1, quantity=4)
    make_need(community=community, service_type=stranger, status="completed", quantity=50)
    unit = make_unit(county_id=county.id)
    make_offer(unit=unit, service_type=first)
    scores = county_scores(county.id, ScoreWeights(coverage=1, proximity=0, continuity=0))
    # 3 × 4 remaining against 1 × 4: the unit serves 12 of 16.
    assert scores.parts[unit.id, community.id].coverage == pytest.approx(12 / 16)


def test_closer_unit_has_the_higher_proximity(app):
    county = make_county()
    community = make_community(latitude=31.0, longitude=113.0)
    near = make_unit(county_id=county.id, latitude=31.0, longitude=113.01)
    far = make_unit(county_id=county.id, latitude=31.2, longitude=113.0)
    scores = county_scores(county.id, ScoreWeights(coverage=0, proximity=1, continuity=0))
    assert scores.parts[near.id, community.id].proximity > 0.5
    assert scores.parts[far.id, community.id].proximity < 0.1


def test_continuity_comes_only_from_the_published_plan(app, db):
    county = make_county()
    community = make_community()
    kept, dropped, new = (make_unit(county_id=county.id) for _ in range(3))
    old = PairingPlan(county_id=county.id, version=1, status="superseded")
    old.pairs.append(PlanPair(unit=dropped, community=community))
    plan = PairingPlan(county_id=county.id, version=2, status="published")
    plan.pairs.append(PlanPair(unit=kept, community=community))
    draft = PairingPlan(county_id=county.id, version=3, status="draft")
    draft.pairs.append(PlanPair(unit=new, community=community))
    db.session.add_all([old, plan, draft])
    db.session.commit()
    scores = county_scores(county.id, ScoreWeights(continuity=0.4))
    continuity = [scores.parts[u.id, community.id].continuity for u in (kept, dropped, new)]
    assert continuity == [0.4, 0.0, 0.0]


def test_needs_coverage_splits_open_needs_by_the_units_offer_types(app):
    first, sibling, _stranger = _types_in_one_category_and_another()
    community = make_community()
    served = make_need(community=community, service_type=first, urgency=1)
    unserved = make_need(community=community, service_type=sibling, urgency=3)
    make_need(community=community, service_type=first, status="draft")
    unit = make_unit()
    make_offer(unit=unit, service_type=first)
    assert needs_coverage(community.id, [unit.id]) == ([served], [unserved])
    assert needs_coverage(community.id, []) == ([], [unserved, served])


def test_unknown_county_is_not_found(app):
    from marketplace.errors import NotFound

    with pytest.raises(NotFound):
        county_scores(987654, ScoreWeights())


def test_weights_must_be_non_negative_finite_numbers():
    for bad in (-0.1, float("nan"), float("inf"), "0.5", True):
        with pytest.raises(ValueError):
            ScoreWeights(coverage=bad)


def test_proximity_is_one_at_the_same_place_and_half_at_two_kilometres():
    here = np.array([[31.0, 113.0]])
    two_km_north = np.array([[31.0 + 2 / 111.195, 113.0]])
    assert distance_km(here, two_km_north)[0, 0] == pytest.approx(2.0, rel=1e-3)
    assert proximity_matrix(here, here)[0, 0] == 1.0
    assert proximity_matrix(here, two_km_north)[0, 0] == pytest.approx(0.5, rel=1e-3)
