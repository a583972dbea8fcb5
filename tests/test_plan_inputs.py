"""A plan's inputs: parsing, storing and one adjustment at a time (pure, no database)."""

import pytest

from marketplace.errors import InvalidInput
from marketplace.services.pairing.plan_inputs import PlanInputs, adjusted_inputs


def test_inputs_round_trip_through_the_plan_columns():
    inputs = PlanInputs.from_json(
        {
            "quotas": {"default": 7, "3": {"min": 6, "max": 9}},
            "capacities": {"5": 2},
            "weights": {"coverage": 1, "proximity": 0.5, "continuity": 0},
            "pinned": [[5, 3], {"unit_id": 6, "community_id": 4}],
        }
    )
    assert inputs.quota_of(3) == (6, 9) and inputs.quota_of(4) == (7, 7)
    assert inputs.capacity_of(5) == 2 and inputs.capacity_of(6) == 1
    assert inputs.pinned == [(5, 3), (6, 4)]
    assert PlanInputs.from_json(inputs.to_columns()) == inputs


@pytest.mark.parametrize(
    "body",
    [
        {"quotas": []},
        {"quotas": {"1": {"min": 5, "max": 3}}},
        {"quotas": {"x": 8}},
        {"capacities": {"1": -1}},
        {"weights": {"coverage": "many"}},
        {"weights": {"proximity": float("nan")}},
        {"pinned": [[1]]},
        {"forbidden": "1,2"},
    ],
)
def test_bad_inputs_are_refused_in_chinese(body):
    with pytest.raises(InvalidInput) as caught:
        PlanInputs.from_json(body)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


def test_swap_pins_each_unit_to_the_other_community():
    inputs = PlanInputs(pinned=[(1, 10)], forbidden=[(2, 10)])
    new, payload = adjusted_inputs(
        inputs, "swap", {"unit_id": 1, "other_unit_id": 2}, {1: [10], 2: [20]}
    )
    assert set(new.pinned) == {(1, 20), (2, 10)} and new.forbidden == []
    assert payload["from_community_id"] == 10 and payload["to_community_id"] == 20


def test_pin_moves_a_one_place_unit_and_forbid_unpins():
    inputs = PlanInputs(pinned=[(1, 10)])
    moved, _ = adjusted_inputs(inputs, "pin", {"unit_id": 1, "community_id": 20}, {})
    assert moved.pinned == [(1, 20)]
    forbidden, _ = adjusted_inputs(moved, "forbid", {"unit_id": 1, "community_id": 20}, {})
    assert forbidden.pinned == [] and forbidden.forbidden == [(1, 20)]
    with pytest.raises(InvalidInput):
        adjusted_inputs(forbidden, "unpin", {"unit_id": 1, "community_id": 20}, {})
    with pytest.raises(InvalidInput):
        adjusted_inputs(inputs, "swap", {"unit_id": 1, "other_unit_id": 2}, {1: [10], 2: [10]})
    with pytest.raises(InvalidInput):
        adjusted_inputs(inputs, "pin", {"unit_id": "1"}, {})
