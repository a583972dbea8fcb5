"""Pairing at scale: the sparse pair list, routing by a memory model, no crash ever."""

import tracemalloc
from unittest import mock

import numpy as np
import pytest

from marketplace.pairing import (
    InvalidProblem,
    PairingProblem,
    ProblemTooLarge,
    ScoredPairs,
    problem_from_instance,
    routing,
    solve,
    solver,
)
from marketplace.pairing.feasibility import remainder
from marketplace.pairing.problem import check_problem
from marketplace.pairing.reference import solve_milp
from tests.pairing_helpers import assert_valid

MIB = 1024 * 1024


def dense_problem(units, communities, capacity, quota, seed=1):
    scores = np.random.default_rng(seed).random((units, communities)).round(6)
    return PairingProblem(
        unit_ids=tuple(f"u{i}" for i in range(units)),
        community_ids=tuple(f"c{j}" for j in range(communities)),
        scores=scores,
        capacity=(capacity,) * units,
        min_quota=(quota,) * communities,
        max_quota=(quota,) * communities,
    )


def as_pairs(problem: PairingProblem) -> PairingProblem:
    unit, community = np.nonzero(~np.isnan(problem.scores))
    pairs = ScoredPairs(unit, community, problem.scores[unit, community])
    return PairingProblem(**{**problem.__dict__, "scores": None, "pairs": pairs})


# --- the gate rows count: dense instances with capacities above 1 -------------------


@pytest.mark.parametrize(
    ("communities", "units", "capacity", "quota"),
    [(100, 800, 2, 16), (60, 480, 2, 16), (40, 160, 3, 12)],
)
def test_dense_instances_with_capacity_above_one_are_routed_by_every_row_they_build(
    communities, units, capacity, quota
):
    # 100 × 800 at capacity 2 once took the dense assignment path and asked for 49 GiB:
    # its gate rows and columns (one per allowed pair) were not counted.
    problem = dense_problem(units, communities, capacity, quota)
    rest = remainder(check_problem(problem))
    size = routing.expansion(rest)
    pairs = units * communities
    assert size.rows == units * capacity + pairs  # copies + one gate row per pair
    assert size.columns == communities * quota + pairs  # slots + one gate column per pair
    assert routing.route(rest).path == "lp"
    tracemalloc.start()
    try:
        result = solve(problem)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.status == "optimal"
    assert_valid(problem, result)
    assert peak < 200 * MIB
    if units <= 160:
        assert result.total_score == pytest.approx(solve_milp(problem).total_score, abs=1e-9)


def test_an_instance_too_large_for_the_budget_is_refused_with_a_clear_error():
    problem = dense_problem(800, 100, 2, 16)
    with pytest.raises(ProblemTooLarge, match=r"实例太大.*超过预算 1 MB"):
        solve(problem, memory_budget=1 * MIB)


def test_a_memory_error_inside_a_path_becomes_problem_too_large():
    problem = dense_problem(20, 4, 2, 3)
    with (
        mock.patch.object(solver, "_solve_component", side_effect=MemoryError),
        pytest.raises(ProblemTooLarge),
    ):
        solve(problem)


def test_a_small_budget_sends_a_small_instance_to_the_lp_when_the_assignment_does_not_fit():
    problem = dense_problem(30, 5, 2, 6)
    rest = remainder(check_problem(problem))
    plan = routing.route(rest)
    assert plan.path == "assignment"
    squeezed = routing.route(rest, budget=plan.assignment_bytes - 1)
    assert squeezed.path == "lp"
    with mock.patch.object(solver, "_solve_component", side_effect=AssertionError):
        result = solve(problem, memory_budget=plan.assignment_bytes - 1)
    assert result.total_score == pytest.approx(solve(problem).total_score, abs=1e-9)


# --- the sparse format ----------------------------------------------------------------


def sparse_problem(units=300, communities=40, nearest=5, capacity=(1, 3), seed=3):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), nearest)
    community = np.concatenate(
        [rng.choice(communities, nearest, replace=False) for _ in range(units)]
    )
    return PairingProblem(
        unit_ids=tuple(f"u{i}" for i in range(units)),
        community_ids=tuple(f"c{j}" for j in range(communities)),
        pairs=ScoredPairs(unit, community, rng.random(unit.size).round(4)),
        capacity=tuple(int(c) for c in rng.integers(*capacity, units, endpoint=True)),
        min_quota=(4,) * communities,
        max_quota=(9,) * communities,
    )


def test_pair_list_and_matrix_give_the_same_optimum_on_both_paths():
    dense = dense_problem(60, 8, 2, 5)
    sparse = as_pairs(dense)
    expected = solve(dense)
    assert solve(sparse).pairs == expected.pairs
    with mock.patch.object(routing, "LARGE_CELLS", -1):
        assert solve(sparse).total_score == pytest.approx(expected.total_score, abs=1e-9)


def test_a_sparse_instance_matches_milp_and_never_builds_a_matrix():
    problem = sparse_problem()
    with mock.patch.object(np, "full", side_effect=AssertionError("a dense matrix")):
        checked = check_problem(problem)
    assert checked.unit.size == 300 * 5
    result = solve(problem)
    reference = solve_milp(problem)
    assert result.status == reference.status == "optimal"
    assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)
    assert_valid(problem, result)
    with mock.patch.object(routing, "LARGE_CELLS", -1):
        priced = solve(problem)
    assert priced.total_score == pytest.approx(reference.total_score, abs=1e-9)


def test_id_triples_are_read_and_bad_ones_refused():
    problem = PairingProblem(
        unit_ids=("u1", "u2"),
        community_ids=("c1", "c2"),
        pairs=[("u1", "c1", 0.5), ("u2", "c1", 0.3), ("u2", "c2", 0.1)],
        capacity=(1, 1),
        min_quota=(1, 0),
        max_quota=(1, 1),
    )
    assert solve(problem).pairs == (("u1", "c1"), ("u2", "c2"))
    for pairs, message in [
        ([("u1", "c1", 0.5), ("u1", "c1", 0.2)], "重复"),
        ([("u9", "c1", 0.5)], "u9"),
        ([("u1", "c1", None)], "不能为空"),
        ([("u1", "c1")], "分数"),
        ([("u1", "c1", float("inf"))], "有限"),
    ]:
        with pytest.raises(InvalidProblem, match=message):
            solve(PairingProblem(**{**problem.__dict__, "pairs": pairs}))
    with pytest.raises(InvalidProblem, match="之一"):
        solve(PairingProblem(**{**problem.__dict__, "scores": np.ones((2, 2))}))


def test_instance_file_takes_pairs_instead_of_scores():
    instance = {
        "units": [{"id": "u1"}, {"id": "u2", "capacity": 2}],
        "communities": [{"id": "c1", "min": 1, "max": 2}, {"id": "c2", "max": 1}],
        "pairs": [["u1", "c1", 0.7], ["u2", "c1", 0.2], ["u2", "c2", 0.9]],
    }
    problem = problem_from_instance(instance)
    assert problem.scores is None
    assert solve(problem).pairs == (("u1", "c1"), ("u2", "c1"), ("u2", "c2"))
    with pytest.raises(InvalidProblem, match="之一"):
        problem_from_instance({**instance, "scores": [[0.1, 0.2], [0.3, 0.4]]})
    with pytest.raises(InvalidProblem, match="pairs"):
        problem_from_instance({**instance, "pairs": [["u1", "c1"]]})


def test_candidates_that_cannot_meet_a_minimum_name_the_short_communities():
    problem = PairingProblem(
        unit_ids=("u1", "u2", "u3"),
        community_ids=("c1", "c2", "c3"),
        pairs=[("u1", "c1", 1.0), ("u2", "c1", 1.0), ("u3", "c2", 1.0), ("u3", "c3", 1.0)],
        capacity=(1, 1, 1),
        min_quota=(1, 1, 1),
        max_quota=(2, 2, 2),
    )
    result = solve(problem)
    assert result.status == "infeasible"
    assert result.short_communities == ("c2", "c3")
    assert result.infeasibility.cause == "group_short"
