"""Benchmark the pairing optimizer against the solvers a user could pick instead.

    .venv/bin/python bench/pairing.py            # full run (about 10 minutes)
    .venv/bin/python bench/pairing.py --quick    # county and city, one run each
    .venv/bin/python bench/pairing.py --quick --skip milp --runs 5   # city medians of 5

Sizes: a county (11 communities × 88 units, quota 8), a city (500 × 4,000, quota 8) with
dense scores and sparse (each unit may pair only with its 20 nearest communities), and
a larger dense instance (1,000 × 8,000). Methods: this solver (``marketplace.pairing``:
the assignment path at county size, the priced LP from city size on),
``scipy.optimize.milp`` (HiGHS, time-limited), the ``lap`` package (LAPJV on the same
expanded matrix) and OR-Tools' min-cost flow. ``lap`` and ``ortools`` are optional
(``pip install -e .[bench]``); a missing one is skipped with a note.

Each method runs in its own forked process, so a slow one can be stopped at a time
limit and its peak memory (growth of the resident set) is its own. Printed per size:
the median time, the ratio to this solver, the peak memory, and whether the optimal
totals agree (computed from the same float scores).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.pairing import PairingProblem, solve
from marketplace.pairing.reference import solve_milp

COST_SCALE = 1e9  # OR-Tools takes integer costs: scores are rounded to 1e-9


@dataclass(frozen=True)
class Size:
    name: str
    communities: int
    units: int
    quota: int
    nearest: int | None  # each unit may pair only with its k nearest communities
    repeats: int


SIZES = [
    Size("county 11×88", 11, 88, 8, None, 20),
    Size("city 500×4000 dense", 500, 4000, 8, None, 3),
    Size("city 500×4000 sparse(20)", 500, 4000, 8, 20, 3),
    Size("larger 1000×8000 dense", 1000, 8000, 8, None, 1),
]


def make_instance(size: Size, seed: int = 2026) -> PairingProblem:
    """Return a seeded instance: scores 0.6 × need match + 0.4 × closeness, like the app's."""
    rng = np.random.default_rng(seed)
    side_km = 4.0 * np.sqrt(size.communities / 11)  # a county's density, kept at any size
    units = rng.uniform(0, side_km, (size.units, 2))
    communities = rng.uniform(0, side_km, (size.communities, 2))
    distance = np.sqrt(((units[:, None, :] - communities[None, :, :]) ** 2).sum(axis=2))
    scores = 0.6 * rng.random((size.units, size.communities)) + 0.4 / (1 + distance / 2)
    if size.nearest:
        nearest = np.argsort(distance, axis=1)[:, : size.nearest]
        allowed = np.zeros_like(scores, dtype=bool)
        allowed[np.arange(size.units)[:, None], nearest] = True
        scores[~allowed] = np.nan
    return PairingProblem(
        unit_ids=tuple(f"u{i}" for i in range(size.units)),
        community_ids=tuple(f"c{j}" for j in range(size.communities)),
        scores=scores,
        capacity=(1,) * size.units,
        min_quota=(size.quota,) * size.communities,
        max_quota=(size.quota,) * size.communities,
    )


def total_of(problem: PairingProblem, units: np.ndarray, communities: np.ndarray) -> float:
    """Return the total score of index pairs; NaN if a forbidden or repeated pair is used."""
    if len(set(zip(units.tolist(), communities.tolist(), strict=True))) != len(units):
        return float("nan")
    return float(problem.scores[units, communities].sum())


def run_this(problem: PairingProblem) -> float:
    result = solve(problem)
    return result.total_score if result.status == "optimal" else float("nan")


def run_milp(problem: PairingProblem, time_limit: float) -> float:
    result = solve_milp(problem, time_limit=time_limit)
    return result.total_score if result.status == "optimal" else float("nan")


def run_lap(problem: PairingProblem) -> float:
    import lap

    quota = np.array(problem.max_quota)
    slot_owner = np.repeat(np.arange(quota.size), quota)
    scores = problem.scores[:, slot_owner]
    # LAPJV needs finite costs: a forbidden cell costs more than any solution gains.
    cost = np.where(np.isnan(scores), 1e6, -scores)
    _, row_to_column, _ = lap.lapjv(cost, extend_cost=True)
    units = np.flatnonzero(row_to_column >= 0)
    return total_of(problem, units, slot_owner[row_to_column[units]])


def run_ortools(problem: PairingProblem) -> float:
    from ortools.graph.python import min_cost_flow

    scores = problem.scores
    n_units, n_communities = scores.shape
    quota = np.array(problem.max_quota)
    assert (quota == np.array(problem.min_quota)).all(), "the benchmark uses min = max"
    source, sink = n_units + n_communities, n_units + n_communities + 1
    unit_index, community_index = np.nonzero(~np.isnan(scores))
    tails = np.concatenate(
        [np.full(n_units, source), unit_index, n_units + np.arange(n_communities)]
    )
    heads = np.concatenate(
        [np.arange(n_units), n_units + community_index, np.full(n_communities, sink)]
    )
    capacities = np.concatenate([problem.capacity, np.ones(unit_index.size, int), quota])
    costs = np.concatenate(
        [
            np.zeros(n_units, int),
            -np.rint(scores[unit_index, community_index] * COST_SCALE).astype(np.int64),
            np.zeros(n_communities, int),
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[source], supplies[sink] = quota.sum(), -quota.sum()
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return float("nan")
    used = flow.flows(arcs)[n_units : n_units + unit_index.size] > 0
    return total_of(problem, unit_index[used], community_index[used])


def _resident_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def _child(method, problem, repeats, queue):
    """Run ``method`` ``repeats`` times; report times, the total and peak memory growth."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
    baseline = _resident_kib("VmRSS:")
    times, total = [], float("nan")
    for _ in range(repeats):
        started = time.perf_counter()
        total = method(problem)
        times.append(time.perf_counter() - started)
    queue.put((times, total, max(0, _resident_kib("VmHWM:") - baseline) / 1024))


def measure(method, problem, repeats: int, time_limit: float):
    """Return (median seconds, total, peak MiB) or None when past the time limit."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(method, problem, repeats, queue))
    process.start()
    try:
        times, total, peak = queue.get(timeout=time_limit)
    except Exception:  # queue.Empty: the method ran past its time limit
        process.kill()
        process.join()
        return None
    process.join()
    return statistics.median(times), total, peak


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        print(f"  注：未安装 {module}，跳过（pip install -e .[bench]）")
        return False
    return True


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="county and city, one run each")
    parser.add_argument("--milp-limit", type=float, default=60.0, help="milp time limit (s)")
    parser.add_argument("--limit", type=float, default=300.0, help="any method's limit (s)")
    parser.add_argument("--runs", type=int, help="runs per size above the county (median)")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["milp", "lap", "ortools"], help="skip one"
    )
    arguments = parser.parse_args(argv)
    sizes = SIZES[:3] if arguments.quick else SIZES
    methods = [("this solver", run_this)]
    if "milp" not in arguments.skip:
        methods.append(("milp (HiGHS)", lambda p: run_milp(p, arguments.milp_limit)))
    if "lap" not in arguments.skip and available("lap"):
        methods.append(("lap (LAPJV)", run_lap))
    if "ortools" not in arguments.skip and available("ortools"):
        methods.append(("OR-Tools min-cost flow", run_ortools))
    for size in sizes:
        problem = make_instance(size)
        repeats = 1 if arguments.quick and size.units > 100 else size.repeats
        if arguments.runs and size.units > 100:
            repeats = arguments.runs
        print(f"\n{size.name}  (median of {repeats})")
        rows = []
        for name, method in methods:
            limit, runs = arguments.limit, repeats
            if name.startswith("milp"):  # one run: at city size it only meets its limit
                limit, runs = arguments.milp_limit + 30, 1 if size.units > 100 else repeats
            rows.append((name, limit, measure(method, problem, runs, limit * runs)))
        baseline = rows[0][2]
        totals = []
        for name, limit, outcome in rows:
            if outcome is None or np.isnan(outcome[1]):
                spent = f"{limit:.0f} s" if outcome is None else f"{outcome[0]:.0f} s"
                print(f"  {name:<24} did not finish (stopped after {spent})")
                continue
            seconds, total, peak = outcome
            totals.append(total)
            ratio = seconds / baseline[0] if baseline else float("nan")
            print(
                f"  {name:<24} {seconds * 1000:10.1f} ms  ×{ratio:7.2f}"
                f"  peak {peak:7.1f} MiB  total {total:.6f}"
            )
        agree = len(totals) > 1 and np.allclose(totals, totals[0], rtol=1e-9, atol=1e-5)
        print(f"  optima agree: {'yes' if agree else 'NO'} ({len(totals)} solvers finished)")


if __name__ == "__main__":
    main()
