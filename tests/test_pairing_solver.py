"""The pairing solver: hand-solved cases, infeasibility reasons, and exactness against milp."""

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from marketplace.pairing import InvalidProblem, PairingProblem, solve, solver
from marketplace.pairing.reference import solve_milp

nan = math.nan


def make_problem(scores, capacity=None, low=None, high=None, pinned=(), forbidden=()):
    scores = np.array(scores, dtype=float)
    units, communities = scores.shape
    return PairingProblem(
        unit_ids=tuple(f"u{i}" for i in range(units)),
        community_ids=tuple(f"c{j}" for j in range(communities)),
        scores=scores,
        capacity=tuple(capacity or [1] * units),
        min_quota=tuple(low if low is not None else [0] * communities),
        max_quota=tuple(high if high is not None else [1] * communities),
        pinned=tuple(pinned),
        forbidden=tuple(forbidden),
    )


def test_hand_solved_assignment_prefers_the_larger_total():
    # Greedy takes u0-c0 (0.9) and is left with u1-c1 (0.1): 1.0; the optimum is 1.6.
    result = solve(make_problem([[0.9, 0.8], [0.8, 0.1]], low=[1, 1]))
    assert result.status == "optimal"
    assert result.pairs == (("u0", "c1"), ("u1", "c0"))
    assert result.total_score == pytest.approx(1.6)


def test_minimum_quota_is_met_even_at_a_lower_score():
    # Both units prefer c0, but c1 must get one.
    result = solve(make_problem([[0.9, 0.1], [0.8, 0.2]], low=[0, 1], high=[2, 1]))
    assert result.pairs == (("u0", "c0"), ("u1", "c1"))


def test_capacity_two_pairs_with_two_different_communities_never_twice():
    result = solve(make_problem([[0.9, 0.5]], capacity=[2], low=[1, 1], high=[3, 3]))
    assert result.pairs == (("u0", "c0"), ("u0", "c1"))
    infeasible = solve(make_problem([[0.9]], capacity=[2], low=[2], high=[2]))
    assert infeasible.status == "infeasible"


def test_negative_scores_are_left_out_when_no_minimum_requires_them():
    result = solve(make_problem([[0.5, -0.3], [-0.2, -0.1]], high=[2, 2]))
    assert result.pairs == (("u0", "c0"),)


def test_forbidden_cells_and_forbidden_list_are_never_chosen():
    result = solve(make_problem([[nan, 0.9], [0.9, 0.5]], high=[2, 2], forbidden=[("u1", "c0")]))
    assert result.pairs == (("u0", "c1"), ("u1", "c1"))


def test_pinned_pair_is_kept_even_when_worse():
    result = solve(make_problem([[0.9, 0.1], [0.8, 0.7]], low=[1, 1], pinned=[("u0", "c1")]))
    assert result.pairs == (("u0", "c1"), ("u1", "c0"))
    assert result.total_score == pytest.approx(0.9)


def test_same_input_gives_the_same_answer_on_ties():
    problem = make_problem(np.ones((6, 3)), low=[2, 2, 2], high=[2, 2, 2])
    first = solve(problem)
    assert all(solve(problem).pairs == first.pairs for _ in range(3))
    assert first.pairs == tuple(sorted(first.pairs))


def test_empty_problem_is_optimal_with_no_pairs():
    result = solve(make_problem(np.zeros((0, 0))))
    assert (result.status, result.pairs, result.total_score) == ("optimal", (), 0.0)


# --- infeasibility: each cause with its reason -------------------------------------


def test_minimums_above_total_capacity():
    result = solve(make_problem(np.ones((3, 2)), low=[2, 2], high=[2, 2]))
    assert result.status == "infeasible"
    assert "最少结对数合计 4" in result.reason and "3 个结对" in result.reason


def test_community_with_fewer_allowed_units_than_its_minimum():
    result = solve(make_problem([[nan, 1], [nan, 1], [1, 1]], low=[2, 1], high=[2, 1]))
    assert result.status == "infeasible"
    assert result.short_communities == ("c0",)
    assert "社区 c0 至少需要 2 家单位" in result.reason and "只有 1 家" in result.reason


def test_pinned_pair_that_is_forbidden():
    result = solve(make_problem([[nan, 1]], pinned=[("u0", "c0")]))
    assert result.status == "infeasible"
    assert "u0" in result.reason and "c0" in result.reason and "禁止" in result.reason


def test_pinned_pairs_above_a_unit_capacity():
    result = solve(make_problem([[1, 1]], pinned=[("u0", "c0"), ("u0", "c1")]))
    assert result.status == "infeasible"
    assert "单位 u0 被固定到 2 个社区" in result.reason


def test_pinned_pairs_above_a_community_maximum():
    result = solve(make_problem([[1], [1]], high=[1], pinned=[("u0", "c0"), ("u1", "c0")]))
    assert result.status == "infeasible"
    assert result.short_communities == ("c0",)
    assert "社区 c0 被固定了 2 家单位" in result.reason


def test_pinned_pair_takes_the_only_unit_another_community_needs():
    result = solve(make_problem([[1, 1], [1, nan]], low=[1, 1], pinned=[("u0", "c0")]))
    assert result.status == "infeasible"
    assert result.short_communities == ("c1",)


def test_group_of_communities_sharing_too_few_units_is_named():
    # c0 and c1 each have two allowed units, but they are the same two units: together
    # they need 3. c2 is fine on its own.
    scores = [[1, 1, nan], [1, 1, nan], [nan, nan, 1], [nan, nan, 1]]
    result = solve(make_problem(scores, low=[2, 1, 1], high=[2, 2, 2]))
    assert result.status == "infeasible"
    assert result.short_communities == ("c0", "c1")
    assert "合计至少还需要 3 家单位" in result.reason and "2 个结对" in result.reason


def test_malformed_problems_raise_invalid_problem():
    with pytest.raises(InvalidProblem):
        solve(make_problem(np.ones((2, 2)), low=[2, 0], high=[1, 1]))
    with pytest.raises(InvalidProblem):
        solve(make_problem(np.ones((2, 2)), capacity=[1, -1]))
    with pytest.raises(InvalidProblem):
        solve(make_problem(np.ones((2, 2)), pinned=[("u9", "c0")]))
    with pytest.raises(InvalidProblem):
        solve(make_problem(np.ones((2, 2)), forbidden=[("u0", "c7")]))
    bad_shape = make_problem(np.ones((2, 2)))
    with pytest.raises(InvalidProblem):
        solve(PairingProblem(**{**bad_shape.__dict__, "scores": np.ones((2, 3))}))
    with pytest.raises(InvalidProblem):
        solve(PairingProblem(**{**bad_shape.__dict__, "unit_ids": ("u0", "u0")}))


# --- exactness against milp on random instances ----------------------------------


@st.composite
def problems(draw):
    """Small instances with every constraint kind; most feasible, some not."""
    units = draw(st.integers(0, 8))
    communities = draw(st.integers(1, 4))
    number = st.floats(-0.5, 1, allow_nan=False).map(lambda x: round(x, 3))
    ties = st.sampled_from([0.0, 0.5, 1.0])
    cell = st.one_of(st.just(nan), number, number, number, ties)  # a fifth forbidden
    scores = np.array(
        [[draw(cell) for _ in range(communities)] for _ in range(units)], dtype=float
    ).reshape(units, communities)
    capacity = [draw(st.sampled_from([0, 1, 1, 1, 2, 3])) for _ in range(units)]
    # Half the instances keep minimums small and pins on allowed cells, so that most
    # of them are feasible and compared on their optimum, not only on their status.
    lenient = draw(st.booleans())
    low_values = [0, 0, 1] if lenient else [0, 0, 0, 1, 1, 2, 3]
    low = [draw(st.sampled_from(low_values)) for _ in range(communities)]
    high = [lo + draw(st.integers(0, 3)) for lo in low]
    cells = [(i, j) for i in range(units) for j in range(communities)]
    pinnable = [(i, j) for i, j in cells if not lenient or not np.isnan(scores[i, j])]
    pinned = draw(st.lists(st.sampled_from(pinnable), max_size=2)) if pinnable else []
    forbidden = draw(st.lists(st.sampled_from(cells), max_size=2)) if cells else []
    if lenient:
        forbidden = [pair for pair in forbidden if pair not in pinned]
    return make_problem(
        scores,
        capacity,
        low,
        high,
        [(f"u{i}", f"c{j}") for i, j in pinned],
        [(f"u{i}", f"c{j}") for i, j in forbidden],
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_optimum_equals_milp(problem):
    result = solve(problem)
    reference = solve_milp(problem)
    event(f"status: {result.status}")
    event(f"capacity above 1: {max(problem.capacity, default=0) > 1}")
    event(f"pinned: {bool(problem.pinned)}")
    assert result.status == reference.status, result.reason
    if result.status == "infeasible":
        assert result.reason
        return
    assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)
    assert_valid(problem, result)
    # The same optimum from both assignment routines: dense (threshold 0: always dense)
    # and sparse (threshold above 1: always sparse).
    for threshold in (0.0, 1.1):
        with mock.patch.object(solver, "SPARSE_DENSITY", threshold):
            again = solve(problem)
        assert again.total_score == pytest.approx(reference.total_score, abs=1e-9)
        assert_valid(problem, again)


def assert_valid(problem, result):
    unit = {u: i for i, u in enumerate(problem.unit_ids)}
    community = {c: j for j, c in enumerate(problem.community_ids)}
    assert len(set(result.pairs)) == len(result.pairs)
    assert set(problem.pinned) <= set(result.pairs)
    assert not set(problem.forbidden) & set(result.pairs)
    per_unit = np.zeros(len(unit), dtype=int)
    per_community = np.zeros(len(community), dtype=int)
    total = 0.0
    for u, c in result.pairs:
        score = problem.scores[unit[u], community[c]]
        assert not np.isnan(score)
        total += score
        per_unit[unit[u]] += 1
        per_community[community[c]] += 1
    assert (per_unit <= np.array(problem.capacity)).all()
    assert (per_community >= np.array(problem.min_quota)).all()
    assert (per_community <= np.array(problem.max_quota)).all()
    assert total == pytest.approx(result.total_score)


def test_mid_size_instances_match_milp():
    rng = np.random.default_rng(7)
    for _ in range(5):
        scores = rng.random((60, 8))
        scores[rng.random(scores.shape) < 0.3] = nan
        capacity = rng.integers(1, 3, 60).tolist()
        low = rng.integers(2, 6, 8).tolist()
        high = [lo + int(rng.integers(0, 4)) for lo in low]
        problem = make_problem(scores.round(4), capacity, low, high)
        result, reference = solve(problem), solve_milp(problem)
        assert result.status == reference.status == "optimal"
        assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)
        assert_valid(problem, result)
