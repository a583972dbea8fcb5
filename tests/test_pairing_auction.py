"""The auction path: exact against milp, certified by its dual bound, and routed as it should."""

import contextlib
import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from marketplace.pairing import (
    PairingProblem,
    ScoredPairs,
    auction,
    certificate,
    routing,
    solve,
    solver,
)
from marketplace.pairing.feasibility import remainder
from marketplace.pairing.problem import check_problem
from marketplace.pairing.reference import solve_milp
from tests.pairing_helpers import assert_valid, make_problem

nan = math.nan


@contextlib.contextmanager
def through_the_auction():
    """Send every instance down the large path and record what the auction answered."""
    answers = []
    original = auction.solve_by_auction

    def spy(rest):
        answer = original(rest)
        answers.append(answer is not None)
        return answer

    with (
        mock.patch.object(routing, "LARGE_CELLS", -1),
        mock.patch.object(auction, "solve_by_auction", spy),
    ):
        yield answers


def test_hand_solved_square_instance():
    # Greedy gives u0 to c0 (0.9) and leaves u1 with c1 (0.1): 1.0; the optimum is 1.6.
    problem = make_problem([[0.9, 0.8], [0.8, 0.1]], low=[1, 1], high=[1, 1])
    with through_the_auction() as answers:
        result = solve(problem)
    assert answers == [True]
    assert result.pairs == (("u0", "c1"), ("u1", "c0"))
    assert result.total_score == pytest.approx(1.6)


def test_negative_scores_and_more_units_than_slots():
    # Two slots, two units: both must be paired, negative scores or not.
    square = make_problem([[-0.5, -0.1], [-0.2, -0.9]], low=[1, 1], high=[1, 1])
    with through_the_auction() as answers:
        result = solve(square)
    assert answers == [True]
    assert result.pairs == (("u0", "c1"), ("u1", "c0"))
    # Four units for two slots: the two left unpaired go to the stand-in community.
    wider = make_problem(
        [[-0.5, -0.1], [-0.2, -0.9], [-0.3, -0.3], [-1.0, -0.05]], low=[1, 1], high=[1, 1]
    )
    with through_the_auction() as answers:
        result = solve(wider)
    assert answers == [True]
    assert result.total_score == pytest.approx(solve_milp(wider).total_score, abs=1e-12)
    assert result.pairs == (("u1", "c0"), ("u3", "c1"))


@st.composite
def problems(draw):
    """Small instances of every kind, half of them the auction's kind (capacity 1, exact
    quotas, as many units as slots or a few more); ties, forbidden and pinned pairs, and
    infeasible ones included."""
    communities = draw(st.integers(1, 4))
    auction_kind = draw(st.booleans())
    low = [draw(st.sampled_from([0, 1, 1, 2, 3])) for _ in range(communities)]
    high = low if auction_kind else [lo + draw(st.integers(0, 3)) for lo in low]
    spare = draw(st.sampled_from([0, 0, 1, 2]))
    units = min(sum(high) + spare, 10) if auction_kind else draw(st.integers(0, 9))
    number = st.floats(-0.5, 1, allow_nan=False).map(lambda x: round(x, 3))
    ties = st.sampled_from([0.0, 0.5, 1.0])
    # A fifth of the pairs forbidden; fewer in the auction's kind, where every unit
    # must be paired and most instances would otherwise be infeasible.
    allowing = [number, number, ties] if auction_kind else []
    cell = st.one_of(st.just(nan), number, number, number, ties, *allowing)
    scores = np.array(
        [[draw(cell) for _ in range(communities)] for _ in range(units)], dtype=float
    ).reshape(units, communities)
    capacities = [1, 1, 1, 1, 0] if auction_kind else [0, 1, 1, 2, 3]
    capacity = [draw(st.sampled_from(capacities)) for _ in range(units)]
    cells = [(i, j) for i in range(units) for j in range(communities)]
    allowed = [(i, j) for i, j in cells if not np.isnan(scores[i, j])]
    pinned = draw(st.lists(st.sampled_from(allowed), max_size=2)) if allowed else []
    forbidden = draw(st.lists(st.sampled_from(cells), max_size=2)) if cells else []
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
def test_optimum_equals_milp_through_the_auction(problem):
    reference = solve_milp(problem)
    with through_the_auction() as answers:
        result = solve(problem)
    event(f"status: {result.status}")
    event(
        f"auction: {'not used' if not answers else 'certified' if answers[0] else 'not certified'}"
    )
    assert result.status == reference.status, result.reason
    if result.status == "infeasible":
        assert result.reason
        return
    assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)
    assert_valid(problem, result)


def knn_problem(units, communities, quota, nearest, seed, tied=False):
    """A city in miniature: each unit may pair with its nearest communities."""
    rng = np.random.default_rng(seed)
    unit_xy, community_xy = rng.random((units, 2)), rng.random((communities, 2))
    distance = np.linalg.norm(unit_xy[:, None] - community_xy[None], axis=2)
    nearest_index = np.argsort(distance, axis=1)[:, :nearest]
    unit = np.repeat(np.arange(units), nearest)
    score = 0.6 * rng.random(unit.size) + 0.4 / (
        1 + np.take_along_axis(distance, nearest_index, 1).ravel()
    )
    if tied:
        score = np.round(score * 20) / 20
    return PairingProblem(
        unit_ids=tuple(f"u{i}" for i in range(units)),
        community_ids=tuple(f"c{j}" for j in range(communities)),
        pairs=ScoredPairs(unit, nearest_index.ravel(), score),
        capacity=(1,) * units,
        min_quota=(quota,) * communities,
        max_quota=(quota,) * communities,
    )


@pytest.mark.parametrize(
    ("units", "communities", "tied", "seed"),
    [(400, 50, False, 1), (400, 50, True, 2), (450, 50, False, 3), (330, 30, True, 4)],
)
def test_city_in_miniature_is_certified_and_matches_the_priced_lp(units, communities, tied, seed):
    # As many units as slots (the benchmark's city, the county's plan), or more.
    problem = knn_problem(units, communities, 8, 6, seed, tied)
    with through_the_auction() as answers:
        result = solve(problem)
    assert answers == [True]
    with mock.patch.object(solver, "AUCTION", False), mock.patch.object(routing, "LARGE_CELLS", -1):
        priced = solve(problem)
    assert result.total_score == pytest.approx(priced.total_score, abs=1e-9)


def test_an_uncertified_answer_goes_to_the_priced_lp():
    problem = knn_problem(200, 25, 8, 6, seed=5)
    expected = solve_milp(problem).total_score
    with (
        through_the_auction() as answers,
        mock.patch.object(auction, "dual_bound", return_value=math.inf),
    ):
        result = solve(problem)
    assert answers == [False]
    assert result.total_score == pytest.approx(expected, abs=1e-9)


def test_the_auction_takes_only_capacity_one_and_exact_quotas():
    square = remainder(check_problem(make_problem(np.ones((4, 2)), low=[2, 2], high=[2, 2])))
    assert auction.applies(square)
    ranged = remainder(check_problem(make_problem(np.ones((4, 2)), low=[1, 2], high=[2, 2])))
    assert not auction.applies(ranged)
    doubled = make_problem(np.ones((4, 2)), capacity=[2, 1, 1, 1], low=[2, 2], high=[2, 2])
    assert not auction.applies(remainder(check_problem(doubled)))
    wider = make_problem(np.ones((5, 2)), low=[2, 2], high=[2, 2])
    assert auction.applies(remainder(check_problem(wider)))


def test_very_uneven_degrees_go_to_the_lp_rather_than_padded_tables():
    # One community open to all 30,000 units, 2,999 others to 10 each (as many units
    # as slots): padded rows of 30,000 would hold 90 million cells for 60,000 pairs.
    units, communities = 30_000, 3_000
    others = np.arange(units - 10)
    unit = np.concatenate([np.arange(units), others])
    community = np.concatenate([np.zeros(units, dtype=int), 1 + others // 10])
    problem = PairingProblem(
        unit_ids=tuple(f"u{i}" for i in range(units)),
        community_ids=tuple(f"c{j}" for j in range(communities)),
        pairs=ScoredPairs(unit, community, np.ones(unit.size)),
        capacity=(1,) * units,
        min_quota=(10,) * communities,
        max_quota=(10,) * communities,
    )
    rest = remainder(check_problem(problem))
    assert routing.usable(rest).sum() == unit.size
    assert not auction.applies(rest)


def test_dual_bound_is_an_upper_bound_for_any_unit_duals():
    rng = np.random.default_rng(6)
    scores = rng.random((12, 4)).round(3)
    scores[rng.random(scores.shape) < 0.2] = nan
    problem = make_problem(scores, capacity=[1, 2, 3] * 4, low=[1, 0, 2, 1], high=[3, 2, 4, 1])
    rest = remainder(check_problem(problem))
    positions = np.flatnonzero(routing.usable(rest))
    optimum = solve_milp(problem).total_score
    for _ in range(20):
        bound = certificate.dual_bound(rest, positions, rng.random(12))
        assert bound >= optimum - 1e-12
    # With every unit dual at zero, each community takes its best allowed units.
    assert certificate.dual_bound(rest, positions, np.zeros(12)) >= optimum


def test_grid_step_is_found_only_on_a_real_grid():
    slack = 1e-12
    tied = np.round(np.random.default_rng(7).random(500) * 20) / 20
    assert certificate.grid_step(tied, slack) == pytest.approx(0.05)
    assert certificate.grid_step(np.random.default_rng(8).random(500), slack) == 0.0
    assert certificate.grid_step(np.array([0.3, 0.3]), slack) == 0.0
    assert certificate.grid_step(np.array([0.0, 0.5, 0.75]), slack) == pytest.approx(0.25)
    # Nearly on the grid is not on it: totals could then differ by less than a step.
    assert certificate.grid_step(tied + np.linspace(0, 1e-9, tied.size), slack) == 0.0


def test_the_same_input_gives_the_same_pairs_on_ties():
    problem = knn_problem(240, 30, 8, 6, seed=9, tied=True)
    with through_the_auction() as answers:
        first = solve(problem)
        assert all(solve(problem).pairs == first.pairs for _ in range(2))
    assert answers == [True] * 3
