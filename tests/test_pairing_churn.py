"""A cap on how many published pairs a new plan may drop: exact, checked by brute force."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.pairing import PairingProblem, solve
from marketplace.pairing.churn import dropped_pairs, solve_with_change_limit
from tests.pairing_helpers import make_problem


def _brute_force(problem: PairingProblem, previous: set, max_changes: int) -> float | None:
    """Best total over every subset of allowed pairs that meets all constraints."""
    cells = [
        (i, j)
        for i in range(len(problem.unit_ids))
        for j in range(len(problem.community_ids))
        if not math.isnan(problem.scores[i, j])
    ]
    best = None
    for size in range(len(cells) + 1):
        for chosen in itertools.combinations(cells, size):
            per_unit = np.bincount([i for i, _ in chosen], minlength=len(problem.unit_ids))
            per_community = np.bincount(
                [j for _, j in chosen], minlength=len(problem.community_ids)
            )
            if (per_unit > np.array(problem.capacity)).any():
                continue
            if (per_community < np.array(problem.min_quota)).any():
                continue
            if (per_community > np.array(problem.max_quota)).any():
                continue
            ids = {(problem.unit_ids[i], problem.community_ids[j]) for i, j in chosen}
            if not set(problem.pinned) <= ids or len(previous - ids) > max_changes:
                continue
            total = sum(problem.scores[i, j] for i, j in chosen)
            best = total if best is None else max(best, total)
    return best


def test_a_loose_cap_keeps_the_free_optimum():
    problem = make_problem([[0.9, 0.1], [0.1, 0.9]], [1, 1], [1, 1], [1, 1])
    free = solve(problem)
    capped = solve_with_change_limit(problem, {("u0", "c1"), ("u1", "c0")}, 2)
    assert capped.pairs == free.pairs


def test_a_tight_cap_keeps_previous_pairs_at_a_lower_score():
    # Last year u0-c1 and u1-c0; the free optimum swaps both (2 changes).
    problem = make_problem([[0.9, 0.1], [0.1, 0.9]], [1, 1], [1, 1], [1, 1])
    previous = {("u0", "c1"), ("u1", "c0")}
    assert len(dropped_pairs(previous, solve(problem).pairs)) == 2
    capped = solve_with_change_limit(problem, previous, 0)
    assert capped.status == "optimal"
    assert set(capped.pairs) == previous
    assert capped.total_score == pytest.approx(0.2)


def test_a_cap_that_pins_and_quotas_cannot_meet_is_infeasible_with_a_reason():
    problem = make_problem([[0.9, 0.1], [0.1, 0.9]], [1, 1], [1, 1], [1, 1], pinned=[("u0", "c0")])
    result = solve_with_change_limit(problem, {("u0", "c1"), ("u1", "c0")}, 1)
    assert result.status == "infeasible"
    assert "最多调整 1 对" in result.reason


def test_a_negative_cap_is_refused():
    problem = make_problem([[0.5]], [1], [0], [1])
    with pytest.raises(ValueError):
        solve_with_change_limit(problem, set(), -1)


@st.composite
def capped_problems(draw):
    units = draw(st.integers(1, 4))
    communities = draw(st.integers(1, 3))
    cell = st.one_of(st.none(), st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 2)))
    scores = [[draw(cell) for _ in range(communities)] for _ in range(units)]
    scores = [[math.nan if v is None else v for v in row] for row in scores]
    capacity = [draw(st.integers(1, 2)) for _ in range(units)]
    high = [draw(st.integers(0, 2)) for _ in range(communities)]
    low = [draw(st.integers(0, h)) for h in high]
    problem = make_problem(scores, capacity, low, high)
    every = [(f"u{i}", f"c{j}") for i in range(units) for j in range(communities)]
    previous = set(draw(st.lists(st.sampled_from(every), max_size=4, unique=True)))
    return problem, previous, draw(st.integers(0, 3))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capped_problems())
def test_the_capped_optimum_equals_brute_force(case):
    problem, previous, max_changes = case
    expected = _brute_force(problem, previous, max_changes)
    result = solve_with_change_limit(problem, previous, max_changes)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.total_score == pytest.approx(expected, abs=1e-9)
    assert len(dropped_pairs(previous, result.pairs)) <= max_changes
