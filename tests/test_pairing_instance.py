"""The JSON instance format: reading it, refusing malformed files, the JSON answer."""

import math

import pytest

from marketplace.pairing import (
    InvalidProblem,
    PairingResult,
    problem_from_instance,
    result_to_json,
    solve,
)

INSTANCE = {
    "units": [{"id": "u1", "capacity": 1}, {"id": "u2"}, {"id": "u3", "capacity": 2}],
    "communities": [{"id": "c1", "min": 1, "max": 2}, {"id": "c2", "max": 2}],
    "scores": [[0.7, None], [0.2, 0.9], [0.4, 0.3]],
    "pinned": [["u3", "c2"]],
    "forbidden": [["u2", "c1"]],
}


def test_instance_is_read_with_defaults_and_null_as_forbidden():
    problem = problem_from_instance(INSTANCE)
    assert problem.unit_ids == ("u1", "u2", "u3")
    assert problem.community_ids == ("c1", "c2")
    assert problem.capacity == (1, 1, 2)
    assert problem.min_quota == (1, 0) and problem.max_quota == (2, 2)
    assert math.isnan(problem.scores[0, 1]) and problem.scores[1, 1] == 0.9
    assert problem.pinned == (("u3", "c2"),) and problem.forbidden == (("u2", "c1"),)


def test_instance_solves_to_the_design_json_answer():
    answer = result_to_json(solve(problem_from_instance(INSTANCE)))
    assert answer == {
        "status": "optimal",
        "total_score": pytest.approx(0.7 + 0.9 + 0.4 + 0.3),
        "pairs": [["u1", "c1"], ["u2", "c2"], ["u3", "c1"], ["u3", "c2"]],
    }


def test_infeasible_answer_has_status_and_reason_only():
    result = PairingResult("infeasible", None, (), reason="原因", short_communities=("c1",))
    assert result_to_json(result) == {"status": "infeasible", "reason": "原因"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"units": "u1"}, "units"),
        ({"scores": [[0.7, None]]}, "scores"),
        ({"scores": [[0.7], [0.2, 0.9], [0.4, 0.3]]}, "第 1 行"),
        ({"scores": [[0.7, "x"], [0.2, 0.9], [0.4, 0.3]]}, "分数"),
        ({"scores": [[0.7, True], [0.2, 0.9], [0.4, 0.3]]}, "分数"),
        ({"communities": [{"id": "c1", "min": 3, "max": 2}, {"id": "c2", "max": 2}]}, "大于"),
        ({"communities": [{"id": "c1", "min": -1, "max": 2}, {"id": "c2", "max": 2}]}, "负数"),
        ({"communities": [{"id": "c1", "min": 1}, {"id": "c2", "max": 2}]}, "max"),
        ({"units": [{"id": "u1"}, {"id": "u1"}, {"id": "u3"}]}, "重复"),
        ({"units": [{"id": 1}, {"id": "u2"}, {"id": "u3"}]}, "字符串"),
        ({"units": [{"id": "u1", "capacity": 1.5}, {"id": "u2"}, {"id": "u3"}]}, "整数"),
        ({"pinned": [["u9", "c1"]]}, "u9"),
        ({"pinned": ["u1"]}, "结对"),
        ({"forbidden": [["u1", "c9"]]}, "c9"),
    ],
)
def test_malformed_instances_are_refused_with_a_reason(change, message):
    with pytest.raises(InvalidProblem, match=message):
        problem_from_instance({**INSTANCE, **change})


def test_a_missing_key_and_a_non_object_are_refused():
    with pytest.raises(InvalidProblem, match="scores"):
        problem_from_instance({key: v for key, v in INSTANCE.items() if key != "scores"})
    with pytest.raises(InvalidProblem):
        problem_from_instance([INSTANCE])
