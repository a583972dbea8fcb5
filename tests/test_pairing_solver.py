"""The pairing solver: hand-solved cases, infeasibility reasons, and exactness against milp."""

import contextlib
import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from marketplace.pairing import InvalidProblem, PairingProblem, pricing, routing, solve, solver
from marketplace.pairing.feasibility import remainder
from marketplace.pairing.problem import check_problem
from marketplace.pairing.reasons import describe
from marketplace.pairing.reference import solve_milp
from tests.pairing_helpers import assert_valid, make_problem

nan = math.nan


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


def test_reasons_are_data_and_worded_only_at_the_edge():
    result = solve(make_problem([[1, 1]], pinned=[("u0", "c0"), ("u0", "c1")]))
    reason = result.infeasibility
    assert (reason.cause, reason.units, reason.needed, reason.limit) == (
        "unit_over_pinned",
        ("u0",),
        2,
        1,
    )
    assert result.reason == describe(reason)  # the command line's wording, by id
    worded = describe(reason, units=lambda ids: f"单位“{'、'.join(ids)}”")
    assert worded == "单位“u0” 被固定到 2 个社区，超过它最多可结对的 1 个"
    short = solve(make_problem([[nan, 1], [nan, 1], [1, 1]], low=[2, 1], high=[2, 1]))
    assert short.infeasibility.counts == (("c0", 2, 1),)


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
    # And from the priced LP (the large-instance path), also starting from one
    # candidate per unit, so that infeasible restricted LPs and several pricing rounds
    # happen, with the warm-started HiGHS model and with linprog.
    # The first variant also solves its first LP by the interior point method.
    for nearest, hot, ipm in ((pricing.NEAREST, True, True), (1, True, False), (1, False, False)):
        with forced_large_path(nearest, hot, ipm):
            priced = solve(problem)
        assert priced.total_score == pytest.approx(reference.total_score, abs=1e-9)
        assert_valid(problem, priced)


def forced_large_path(nearest=pricing.NEAREST, hot=True, ipm=False):
    """Send every instance to the priced LP (not the auction), failing if it gives up.

    Below the default ``nearest`` only each unit's best pairs start as candidates (not
    every pair, as small instances otherwise do), so the duals must price the others in.
    ``ipm`` sends every first restricted LP to the interior point method (large
    instances only, by default).
    """
    stack = contextlib.ExitStack()
    if nearest < pricing.NEAREST:
        stack.enter_context(mock.patch.object(pricing, "BY_COMMUNITY", False))
        # Small instances would otherwise take every pair at once: price them in.
        stack.enter_context(mock.patch.object(pricing, "SMALL_PAIRS", 0))
    stack.enter_context(mock.patch.object(routing, "LARGE_CELLS", -1))
    # The LP itself, also on the instances the auction would answer (tested apart).
    stack.enter_context(mock.patch.object(solver, "AUCTION", False))
    stack.enter_context(mock.patch.object(pricing, "NEAREST", nearest))
    stack.enter_context(mock.patch.object(pricing, "NEAREST_DENSE", nearest))
    stack.enter_context(mock.patch.object(pricing, "IPM_COLUMNS", 0 if ipm else 10**9))
    stack.enter_context(mock.patch.object(pricing, "HOT_START", hot))
    original = pricing.solve_by_pricing

    def must_answer(*args):
        pairs = original(*args)
        assert pairs is not None, "the priced LP gave up"
        return pairs

    stack.enter_context(mock.patch.object(solver, "solve_by_pricing", must_answer))
    return stack


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


def test_mid_size_instances_through_the_priced_lp_match_milp():
    rng = np.random.default_rng(11)
    for _ in range(4):
        scores = rng.random((120, 15)) - 0.1
        scores[rng.random(scores.shape) < 0.4] = nan
        capacity = rng.integers(1, 4, 120).tolist()
        low = rng.integers(3, 8, 15).tolist()
        high = [lo + int(rng.integers(0, 5)) for lo in low]
        pinned = [(f"u{u}", f"c{np.flatnonzero(~np.isnan(scores[u]))[0]}") for u in range(3)]
        problem = make_problem(scores.round(4), capacity, low, high, pinned)
        reference = solve_milp(problem)
        for hot, ipm in ((True, True), (True, False), (False, False)):
            with forced_large_path(nearest=2, hot=hot, ipm=ipm):
                result = solve(problem)
            assert result.status == reference.status == "optimal"
            assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)
            assert_valid(problem, result)


def test_large_instances_take_the_priced_lp_and_small_ones_the_assignment():
    calls = []
    original = pricing.solve_by_pricing

    def spy(*args):
        calls.append((args[0].n_units, args[0].n_communities))
        return original(*args)

    small = make_problem(np.random.default_rng(1).random((88, 11)), high=[8] * 11)
    large = make_problem(np.random.default_rng(2).random((1500, 190)), high=[8] * 190)
    with mock.patch.object(solver, "solve_by_pricing", spy):
        solve(small)
        assert calls == []
        result = solve(large)
    assert calls == [(1500, 190)]
    with mock.patch.object(routing, "LARGE_CELLS", 10**12):
        assert solve(large).total_score == pytest.approx(result.total_score, abs=1e-9)


def test_priced_lp_gives_the_same_pairs_for_the_same_input():
    scores = np.round(np.random.default_rng(3).random((40, 6)) * 4) / 4  # many ties
    problem = make_problem(scores, low=[5] * 6, high=[7] * 6)
    for ipm in (False, True):
        with forced_large_path(ipm=ipm):
            first = solve(problem)
            assert all(solve(problem).pairs == first.pairs for _ in range(3))


@pytest.mark.parametrize("failure", ["highs_fails", "rounds_run_out"])
def test_assignment_answers_when_the_priced_lp_gives_up(failure):
    # Each way the priced LP can give up: HiGHS answers no optimum, or the pricing
    # rounds run out (one round, starting from one candidate per unit, is not enough).
    problem = make_problem(np.random.default_rng(4).random((30, 5)), low=[4] * 5, high=[6] * 5)
    expected = solve(problem)
    gave_up, components = [], []
    original_pricing, original_component = pricing.solve_by_pricing, solver._solve_component

    def priced(*args):
        answer = original_pricing(*args)
        gave_up.append(answer is None)
        return answer

    def component(*args):
        components.append(args[1].size)
        return original_component(*args)

    if failure == "highs_fails":
        breakage = mock.patch.object(pricing._HotModel, "solve", return_value=None)
    else:
        breakage = mock.patch.object(pricing, "MAX_ROUNDS", 1)
    with (
        forced_large_path(nearest=1),
        mock.patch.object(solver, "solve_by_pricing", priced),
        mock.patch.object(solver, "_solve_component", component),
        breakage,
    ):
        result = solve(problem)
    assert gave_up == [True]  # the LP really gave up ...
    assert components  # ... and the assignment answered
    assert result.total_score == pytest.approx(expected.total_score, abs=1e-9)
    assert_valid(problem, result)


def test_priced_lp_duals_give_every_candidate_its_reduced_cost():
    # c0 is everyone's favourite but takes 12 at most (upper row binds), c2 has negative
    # scores and takes only its minimum of 3 (lower row binds), c3 exactly 2 (min = max):
    # every kind of community row has a non-zero dual, whose sign the check depends on.
    rng = np.random.default_rng(5)
    scores = np.column_stack([1 + rng.random(20), rng.random(20), -rng.random(20), rng.random(20)])
    scores[0, 1] = nan
    problem = make_problem(scores, capacity=[1] * 18 + [2, 2], low=[0, 3, 3, 2], high=[12, 6, 6, 2])
    checked = check_problem(problem)
    rest = remainder(checked)
    units, communities, pair_cost = rest.unit, rest.community, -rest.score
    answers = []
    with mock.patch.object(
        pricing, "linprog", lambda *a, **k: answers.append(linprog(*a, **k)) or answers[-1]
    ):
        taken, unit_dual, community_dual = pricing._restricted_lp(
            pair_cost, rest, units, communities
        )
    assert np.bincount(communities[taken], minlength=4).tolist() == [12, 5, 3, 2]
    assert community_dual[0] < 0 < community_dual[2] and community_dual[3] != 0
    reduced = pair_cost - unit_dual[units] - community_dual[communities]
    bounds = answers[0].lower.marginals + answers[0].upper.marginals
    np.testing.assert_allclose(reduced, bounds, atol=1e-12)
    # The warm-started model gives the same answer, and its duals the same check.
    model = pricing._HotModel(rest)
    later = communities == 3
    model.add(np.flatnonzero(~later), units, communities, pair_cost)
    assert model.solve() == "infeasible"  # c3 has no candidate yet
    model.add(np.flatnonzero(later), units, communities, pair_cost)
    hot_taken, hot_unit_dual, hot_community_dual = model.solve()
    units, communities = model.units, model.communities
    assert np.bincount(communities[hot_taken], minlength=4).tolist() == [12, 5, 3, 2]
    assert hot_community_dual[0] < 0 < hot_community_dual[2] and hot_community_dual[3] != 0
    reduced = model.cost - hot_unit_dual[units] - hot_community_dual[communities]
    np.testing.assert_allclose(reduced, model.highs.getSolution().col_dual, atol=1e-12)


@pytest.mark.parametrize("density", [0.05, 0.9])
def test_priced_lp_ranks_each_communitys_pairs_by_unit_on_sparse_and_dense_instances(density):
    rng = np.random.default_rng(8)
    scores = rng.random((200, 30))
    scores[rng.random(scores.shape) > density] = nan
    rest = remainder(check_problem(make_problem(scores, low=[0] * 30, high=[3] * 30)))
    units, communities = rest.unit, rest.community
    pairs = pricing._Pairs(rest, units, communities, -scores[units, communities])
    for community in range(30):
        ranks = pairs.community_rank[communities == community]
        assert ranks.tolist() == list(range(rest.per_community[community]))
    # Each community keeps its best max + nearest units, each unit its nearest best.
    candidate = pairs.initial_candidates(2)
    for community in range(30):
        mine = communities == community
        best = np.sort(scores[units[mine], community])[::-1][:5]
        assert set(best) <= set(scores[units[mine & candidate], community])
