"""What the solver loads for a tiny instance, and what it does when HiGHS gives up."""

import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from marketplace.pairing import SolverFailed, hungarian, pricing, routing, solve, solver
from marketplace.pairing.__main__ import main
from marketplace.pairing.feasibility import remainder
from marketplace.pairing.problem import check_problem
from marketplace.pairing.reference import solve_milp
from tests.pairing_helpers import make_problem
from tests.test_pairing_scale import sparse_problem

ROOT = Path(__file__).resolve().parent.parent
TINY = {
    "units": [{"id": "u1", "capacity": 2}, {"id": "u2"}, {"id": "u3"}, {"id": "u4"}],
    "communities": [{"id": "c1", "min": 1, "max": 2}, {"id": "c2", "min": 1, "max": 3}],
    "scores": [[0.7, 0.4], [0.6, 0.2], [0.5, 0.9], [None, 0.3]],
    "pinned": [["u1", "c1"]],
}
# Modules a tiny instance must not import: each costs more than the whole solve.
HEAVY = ("scipy.optimize", "scipy.sparse", "highspy")


def test_the_command_line_solves_a_tiny_instance_without_scipy_or_highs(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY), "utf-8")
    code = (
        "import sys; from marketplace.pairing.__main__ import main; "
        "status = main(['solve', sys.argv[1]]); "
        f"loaded = sorted(set({HEAVY!r}) & set(sys.modules)); "
        "print('LOADED', loaded, file=sys.stderr); sys.exit(status or (3 if loaded else 0))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert "LOADED []" in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "optimal"
    assert answer["total_score"] == pytest.approx(0.7 + 0.4 + 0.6 + 0.9 + 0.3)


def test_the_numpy_assignment_matches_scipy_on_random_rectangles():
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(8)
    checked = 0
    for _ in range(200):
        columns = int(rng.integers(1, 12))
        cost = rng.random((columns + int(rng.integers(0, 6)), columns)).round(2)
        cost[rng.random(cost.shape) < 0.3] = np.inf
        try:
            rows, taken = linear_sum_assignment(cost)
        except ValueError:  # no complete assignment: not a case the solver passes on
            continue
        if not np.isfinite(cost[rows, taken]).all():
            continue
        mine_rows, mine_taken = hungarian.assign(cost)
        assert sorted(mine_taken.tolist()) == list(range(columns))
        assert cost[mine_rows, mine_taken].sum() == pytest.approx(cost[rows, taken].sum())
        checked += 1
    assert checked > 100


def test_tiny_instances_take_the_numpy_assignment_and_match_milp():
    rng = np.random.default_rng(12)
    calls = []
    original = hungarian.assign

    def spy(cost):
        calls.append(cost.shape)
        return original(cost)

    for _ in range(15):
        scores = rng.random((9, 3)).round(3)
        scores[rng.random(scores.shape) < 0.25] = np.nan
        low = rng.integers(0, 3, 3).tolist()
        high = [lo + int(rng.integers(0, 3)) for lo in low]
        problem = make_problem(scores, rng.integers(1, 3, 9).tolist(), low, high)
        reference = solve_milp(problem)
        # As on the command line: scipy.optimize not imported yet (restored afterwards).
        with mock.patch.dict(sys.modules), mock.patch.object(hungarian, "assign", spy):
            sys.modules.pop("scipy.optimize")
            result = solve(problem)
        assert result.status == reference.status
        if reference.status == "optimal":
            assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)
    assert calls  # the tiny path really ran


def test_once_scipy_is_loaded_tiny_instances_take_its_faster_assignment():
    import scipy.optimize  # noqa: F401 - loaded, as in a worker that solved before

    problem = make_problem(np.random.default_rng(13).random((9, 3)), high=[4] * 3)
    with mock.patch.object(hungarian, "assign", side_effect=AssertionError):
        result = solve(problem)
    assert result.total_score == pytest.approx(solve_milp(problem).total_score, abs=1e-9)


def lp_fails():
    """HiGHS reports no optimum on every restricted LP (hot and cold models alike)."""
    stack = mock.patch.multiple(
        pricing,
        _HotModel=type("Failing", (pricing._HotModel,), {"solve": lambda self: None}),
        _ColdModel=type("FailingCold", (pricing._ColdModel,), {"solve": lambda self: None}),
    )
    return stack


def budgets(problem):
    rest = remainder(check_problem(problem))
    size = routing.expansion(rest)
    return (
        routing.lp_bytes(rest),
        routing.sparse_assignment_bytes(size),
        routing.assignment_bytes(size),
    )


def test_a_failing_lp_falls_back_to_the_sparse_assignment_within_the_budget():
    problem = sparse_problem()
    by_lp, sparse, dense = budgets(problem)
    budget = max(by_lp, sparse)  # the LP and the sparse assignment fit, the dense bound not
    assert budget < dense
    assert routing.route(remainder(check_problem(problem)), budget).path == "lp"
    gave_up = []
    original = solver.solve_by_pricing

    def priced(*args):
        answer = original(*args)
        gave_up.append(answer is None)
        return answer

    with lp_fails(), mock.patch.object(solver, "solve_by_pricing", priced):
        result = solve(problem, memory_budget=budget)
    assert gave_up == [True]
    reference = solve_milp(problem)
    assert result.status == reference.status == "optimal"
    assert result.total_score == pytest.approx(reference.total_score, abs=1e-9)


def test_a_failing_lp_with_no_other_path_in_the_budget_names_the_cause():
    problem = sparse_problem()
    by_lp, sparse, _ = budgets(problem)
    assert by_lp < sparse
    with lp_fails(), pytest.raises(SolverFailed, match=r"HiGHS.*未能求解.*不表示无解"):
        solve(problem, memory_budget=by_lp)


def test_the_command_line_reports_a_solver_failure_in_one_line(tmp_path, capsys):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY), "utf-8")
    failure = SolverFailed("线性规划求解器（HiGHS）未能求解此实例")
    with mock.patch("marketplace.pairing.__main__.solve", side_effect=failure):
        assert main(["solve", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "错误：线性规划求解器（HiGHS）未能求解此实例"
