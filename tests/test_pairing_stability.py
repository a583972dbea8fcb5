"""Stability: blocking pairs of a plan and the stable plan by deferred acceptance."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.pairing import InvalidProblem, solve
from marketplace.pairing.stability import blocking_pairs, stable_pairs
from tests.pairing_helpers import make_problem

nan = math.nan


def test_the_optimum_can_be_blocked_and_the_stable_plan_cannot():
    # The optimum (1.6) pairs u0 with c1, but u0 and c0 both prefer each other (0.9).
    problem = make_problem([[0.9, 0.8], [0.8, 0.1]], low=[1, 1])
    optimum = solve(problem)
    assert optimum.pairs == (("u0", "c1"), ("u1", "c0"))
    assert blocking_pairs(problem, optimum.pairs) == [("u0", "c0", 0.9)]
    for side in ("units", "communities"):
        stable = stable_pairs(problem, side)
        assert stable.pairs == (("u0", "c0"), ("u1", "c1"))
        assert stable.total_score == pytest.approx(1.0)
        assert blocking_pairs(problem, stable.pairs) == []


def test_room_left_counts_as_wanting_any_allowed_partner():
    problem = make_problem([[0.5, nan], [0.4, 0.3]], capacity=[2, 1], high=[2, 2])
    assert blocking_pairs(problem, [("u0", "c0")]) == [("u1", "c0", 0.4), ("u1", "c1", 0.3)]
    assert set(blocking_pairs(problem, [])) == {
        ("u0", "c0", 0.5),
        ("u1", "c0", 0.4),
        ("u1", "c1", 0.3),
    }


def test_the_stable_plan_keeps_pinned_pairs_and_reports_minimums_it_misses():
    problem = make_problem([[0.9, 0.1], [0.8, 0.2]], low=[0, 1], high=[2, 1], pinned=[("u1", "c0")])
    stable = stable_pairs(problem, "units")
    assert ("u1", "c0") in stable.pairs and ("u0", "c0") in stable.pairs
    assert stable.below_minimum == ("c1",)
    with pytest.raises(InvalidProblem):
        stable_pairs(problem, "everyone")


def brute_force_blocking(problem, pairs):
    scores = problem.scores
    chosen = {(int(u[1:]), int(c[1:])) for u, c in pairs}
    found = []
    for i, j in itertools.product(range(scores.shape[0]), range(scores.shape[1])):
        if np.isnan(scores[i, j]) or (i, j) in chosen:
            continue
        mine = [scores[i, c] for u, c in chosen if u == i]
        theirs = [scores[u, j] for u, c in chosen if c == j]
        unit_wants = len(mine) < problem.capacity[i] or scores[i, j] > min(mine, default=math.inf)
        community_wants = len(theirs) < problem.max_quota[j] or scores[i, j] > min(
            theirs, default=math.inf
        )
        if unit_wants and community_wants:
            found.append((f"u{i}", f"c{j}"))
    return sorted(found)


@st.composite
def instances(draw):
    units, communities = draw(st.integers(1, 7)), draw(st.integers(1, 4))
    cell = st.one_of(st.just(nan), st.floats(0, 1).map(lambda x: round(x, 2)))
    scores = [[draw(cell) for _ in range(communities)] for _ in range(units)]
    capacity = [draw(st.integers(0, 3)) for _ in range(units)]
    high = [draw(st.integers(0, 3)) for _ in range(communities)]
    return make_problem(scores, capacity, [0] * communities, high)


@settings(max_examples=150, deadline=None)
@given(instances(), st.sampled_from(["units", "communities"]))
def test_deferred_acceptance_leaves_no_blocking_pair_and_blocking_matches_brute_force(
    problem, side
):
    stable = stable_pairs(problem, side)
    assert blocking_pairs(problem, stable.pairs) == []
    assert brute_force_blocking(problem, stable.pairs) == []
    optimum = solve(problem)
    assert stable.total_score <= optimum.total_score + 1e-9  # no minimums: same feasible set
    listed = sorted((u, c) for u, c, _ in blocking_pairs(problem, optimum.pairs))
    assert listed == brute_force_blocking(problem, optimum.pairs)
