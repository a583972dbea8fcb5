"""Benchmark the pairing optimizer against the solvers a user could pick instead.

    .venv/bin/python bench/pairing.py            # full run (a minute or two)
    .venv/bin/python bench/pairing.py --quick    # no province, one run per city
    .venv/bin/python bench/pairing.py --quick --runs 5   # city medians of 5

Sizes (each with its target): a county (11 communities × 88 units, capacities 1-3,
quotas 6-10), the same with every parameter (5 % of units pinned, 5 % of pairs
forbidden), a city (500 × 4,000, quota 8 = 8, each unit may pair only with its 20
nearest communities) with distinct and with tied scores, the city with capacities 1-3
and quotas 6-10, the same with 5 % of units pinned and 5 % of pairs forbidden, a dense
100 × 800 instance at capacity 2, and a province (5,000 × 40,000, 20 nearest) at
quota 8 = 8 and with capacities 1-3 and quotas 6-10; ``--with dense`` adds the dense
city, ``--only TEXT`` keeps the sizes whose name contains TEXT. Methods: this solver
(``marketplace.pairing``: the priced LP for the county and the dense instance, the
auction for the sparse cities and the province at capacity 1) and OR-Tools' min-cost
flow; ``--with milp`` and ``--with lap`` add
``scipy.optimize.milp`` (HiGHS, time-limited) and the ``lap`` package (LAPJV on the
expanded matrix). ``lap`` and ``ortools`` are optional (``pip install -e .[bench]``);
a missing one is skipped with a note.

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
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.pairing import PairingProblem, ScoredPairs, solve
from marketplace.pairing.reference import solve_milp

COST_SCALE = 1e9  # OR-Tools takes integer costs: scores are rounded to 1e-9


@dataclass(frozen=True)
class Size:
    name: str
    communities: int
    units: int
    quota: tuple[int, int]  # (min, max) per community
    nearest: int | None  # each unit may pair only with its k nearest communities
    repeats: int
    capacity: tuple[int, int] = (1, 1)  # unit capacities drawn from this range
    tied: bool = False  # scores rounded to 0.05: many ties
    target: str = ""  # the target for this row
    pinned: float = 0.0  # share of units pinned to one of their allowed communities
    forbidden: float = 0.0  # share of the other allowed pairs forbidden


RULES = {"pinned": 0.05, "forbidden": 0.05}
RANGES = {"capacity": (1, 3), "target": "≤ 2× OR-Tools"}
SIZES = [
    Size("county 11×88 cap 1-3", 11, 88, (6, 10), None, 50, (1, 3), target="≤ 2 ms"),
    Size("county 11×88 every parameter", 11, 88, (6, 10), None, 200, **RANGES, **RULES),
    Size("city 500×4000 sparse(20)", 500, 4000, (8, 8), 20, 5, target="≤ 3× OR-Tools"),
    Size("  same, tied scores", 500, 4000, (8, 8), 20, 5, tied=True, target="≤ 1.5× untied"),
    Size("city 500×4000 sparse(20) cap 1-3 quota 6-10", 500, 4000, (6, 10), 20, 5, **RANGES),
    Size("  same, 5 % pinned, 5 % forbidden", 500, 4000, (6, 10), 20, 5, **RANGES, **RULES),
    Size("dense 100×800 cap 2", 100, 800, (16, 16), None, 3, (2, 2), target="no crash"),
    Size("province 5000×40000 sparse(20)", 5000, 40000, (8, 8), 20, 1, target="≤ 10 s, 1 GB"),
    Size(
        "province 5000×40000 sparse(20) cap 1-3 quota 6-10",
        *(5000, 40000, (6, 10), 20, 1),
        capacity=(1, 3),
        target="≤ 2 s, ≤ 2× OR-Tools",
    ),
]
EXTRA_SIZES = [
    Size("city 500×4000 dense", 500, 4000, (8, 8), None, 3),
]


def make_instance(size: Size, seed: int = 2026) -> PairingProblem:
    """Return a seeded instance: scores 0.6 × need match + 0.4 × closeness, like the app's.

    A sparse instance (``nearest``) is built as a pair list straight away (a k-d tree
    finds each unit's nearest communities): the province never forms a matrix.
    """
    rng = np.random.default_rng(seed)
    side_km = 4.0 * np.sqrt(size.communities / 11)  # a county's density, kept at any size
    units = rng.uniform(0, side_km, (size.units, 2))
    communities = rng.uniform(0, side_km, (size.communities, 2))
    capacity = tuple(int(c) for c in rng.integers(*size.capacity, size.units, endpoint=True))
    common = {
        "unit_ids": tuple(f"u{i}" for i in range(size.units)),
        "community_ids": tuple(f"c{j}" for j in range(size.communities)),
        "capacity": capacity,
        "min_quota": (size.quota[0],) * size.communities,
        "max_quota": (size.quota[1],) * size.communities,
    }
    if size.nearest:
        distance, nearest = cKDTree(communities).query(units, k=size.nearest)
        unit = np.repeat(np.arange(size.units), size.nearest)
        score = 0.6 * rng.random(unit.size) + 0.4 / (1 + distance.ravel() / 2)
        if size.tied:
            score = np.round(score * 20) / 20
        common.update(rules(size, rng, unit, nearest.ravel()))
        return PairingProblem(**common, pairs=ScoredPairs(unit, nearest.ravel(), score))
    distance = np.sqrt(((units[:, None, :] - communities[None, :, :]) ** 2).sum(axis=2))
    scores = 0.6 * rng.random((size.units, size.communities)) + 0.4 / (1 + distance / 2)
    if size.tied:
        scores = np.round(scores * 20) / 20
    unit, community = np.divmod(np.arange(scores.size), size.communities)
    common.update(rules(size, rng, unit, community))
    return PairingProblem(**common, scores=scores)


def rules(size: Size, rng, unit: np.ndarray, community: np.ndarray) -> dict:
    """Pin ``size.pinned`` of the units and forbid ``size.forbidden`` of the other pairs.

    Each pinned unit keeps one of its allowed pairs, and no community gets more pins than
    its maximum, so the instance stays feasible.
    """
    if not (size.pinned or size.forbidden):
        return {}
    pinned_units = rng.choice(size.units, int(size.pinned * size.units), replace=False)
    first = np.searchsorted(unit, pinned_units)
    per_unit = np.searchsorted(unit, pinned_units, side="right") - first
    chosen = first + (rng.random(first.size) * per_unit).astype(np.int64)
    pins = np.bincount(community[chosen], minlength=size.communities)
    chosen = chosen[pins[community[chosen]] <= size.quota[1]]
    others = np.setdiff1d(np.arange(unit.size), chosen)
    banned = rng.choice(others, int(size.forbidden * unit.size), replace=False)

    def named(positions):
        pairs = zip(unit[positions], community[positions], strict=True)
        return tuple((f"u{u}", f"c{c}") for u, c in pairs)

    return {"pinned": named(np.sort(chosen)), "forbidden": named(np.sort(banned))}


def pair_arrays(problem: PairingProblem):
    """Return (unit index, community index, score) of every pair not forbidden."""
    if problem.pairs is not None:
        unit, community, score = problem.pairs.unit, problem.pairs.community, problem.pairs.score
    else:
        unit, community = np.nonzero(~np.isnan(problem.scores))
        score = problem.scores[unit, community]
    if problem.forbidden:
        banned = _keys(problem, problem.forbidden)
        kept = ~np.isin(unit * len(problem.community_ids) + community, banned)
        unit, community, score = unit[kept], community[kept], score[kept]
    return unit, community, score


def _keys(problem: PairingProblem, pairs) -> np.ndarray:
    """Return ``unit * n_communities + community`` of pairs given by their ids."""
    return np.array(
        [int(u[1:]) * len(problem.community_ids) + int(c[1:]) for u, c in pairs], dtype=np.int64
    )


def run_this(problem: PairingProblem) -> float:
    result = solve(problem)
    return result.total_score if result.status == "optimal" else float("nan")


def run_milp(problem: PairingProblem, time_limit: float) -> float:
    result = solve_milp(problem, time_limit=time_limit)
    return result.total_score if result.status == "optimal" else float("nan")


def run_lap(problem: PairingProblem) -> float:
    import lap

    if (
        problem.scores is None
        or max(problem.capacity) > 1
        or problem.min_quota != problem.max_quota
    ):
        return float("nan")  # LAPJV on the slot matrix: dense, capacity 1, min = max only
    quota = np.array(problem.max_quota)
    slot_owner = np.repeat(np.arange(quota.size), quota)
    scores = problem.scores[:, slot_owner]
    # LAPJV needs finite costs: a forbidden cell costs more than any solution gains.
    cost = np.where(np.isnan(scores), 1e6, -scores)
    _, row_to_column, _ = lap.lapjv(cost, extend_cost=True)
    units = np.flatnonzero(row_to_column >= 0)
    return float(problem.scores[units, slot_owner[row_to_column[units]]].sum())


def run_ortools(problem: PairingProblem) -> float:
    """OR-Tools' min-cost flow on the pair list.

    With min = max everywhere, every community demands its quota; otherwise each
    community has a mandatory arc (its minimum, at a reward larger than any cycle of
    score arcs can gain) and an optional one, and unused capacity bypasses to the sink.
    """
    from ortools.graph.python import min_cost_flow

    unit, community, score = pair_arrays(problem)
    n_units, n_communities = len(problem.unit_ids), len(problem.community_ids)
    low, high = np.array(problem.min_quota), np.array(problem.max_quota)
    capacity = np.array(problem.capacity)
    pinned_total = 0.0
    if problem.pinned:
        # A pinned pair is in every answer: take it out of the flow with its room.
        is_pinned = np.isin(unit * n_communities + community, _keys(problem, problem.pinned))
        pinned_total = float(score[is_pinned].sum())
        np.subtract.at(capacity, unit[is_pinned], 1)
        taken = np.bincount(community[is_pinned], minlength=n_communities)
        low, high = np.maximum(low - taken, 0), high - taken
        kept = (capacity[unit] > 0) & ~is_pinned
        unit, community, score = unit[kept], community[kept], score[kept]
    source, sink = n_units + n_communities, n_units + n_communities + 1
    pair_cost = -np.rint(score * COST_SCALE).astype(np.int64)
    to_sink = n_units + np.arange(n_communities)
    if (low == high).all():
        supply = int(high.sum())
        tails = np.concatenate([np.full(n_units, source), unit, to_sink])
        heads = np.concatenate(
            [np.arange(n_units), n_units + community, np.full(n_communities, sink)]
        )
        capacities = np.concatenate([capacity, np.ones(unit.size, int), high])
        costs = np.concatenate([np.zeros(n_units, int), pair_cost, np.zeros(n_communities, int)])
    else:
        supply = int(capacity.sum())
        reward = -(2 * n_units + 2) * (int(np.abs(pair_cost).max(initial=0)) + 1)
        tails = np.concatenate([np.full(n_units, source), unit, to_sink, to_sink, [source]])
        heads = np.concatenate(
            [np.arange(n_units), n_units + community, np.full(2 * n_communities, sink), [sink]]
        )
        capacities = np.concatenate([capacity, np.ones(unit.size, int), low, high - low, [supply]])
        costs = np.concatenate(
            [
                np.zeros(n_units, int),
                pair_cost,
                np.full(n_communities, reward, dtype=np.int64),
                np.zeros(n_communities + 1, int),
            ]
        )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[source], supplies[sink] = supply, -supply
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return float("nan")
    used = flow.flows(arcs)[n_units : n_units + unit.size] > 0
    return pinned_total + float(score[used].sum())


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
    parser.add_argument("--quick", action="store_true", help="no province, one run each")
    parser.add_argument("--milp-limit", type=float, default=60.0, help="milp time limit (s)")
    parser.add_argument("--limit", type=float, default=300.0, help="any method's limit (s)")
    parser.add_argument("--runs", type=int, help="runs per size above the county (median)")
    parser.add_argument(
        "--with",
        dest="extra",
        action="append",
        default=[],
        choices=["milp", "lap", "dense"],
        help="also run milp, lap, or the dense city",
    )
    parser.add_argument("--only", action="append", help="run the sizes whose name has TEXT")
    arguments = parser.parse_args(argv)
    sizes = [size for size in SIZES if not (arguments.quick and size.units > 10_000)]
    if arguments.only:
        sizes = [size for size in sizes if any(text in size.name for text in arguments.only)]
    if "dense" in arguments.extra:
        sizes += EXTRA_SIZES
    methods = [("this solver", run_this)]
    if available("ortools"):
        methods.append(("OR-Tools min-cost flow", run_ortools))
    if "milp" in arguments.extra:
        methods.append(("milp (HiGHS)", lambda p: run_milp(p, arguments.milp_limit)))
    if "lap" in arguments.extra and available("lap"):
        methods.append(("lap (LAPJV)", run_lap))
    summary = []
    for size in sizes:
        problem = make_instance(size)
        repeats = 1 if arguments.quick and size.units > 100 else size.repeats
        if arguments.runs and size.units > 100:
            repeats = arguments.runs
        print(f"\n{size.name}  (median of {repeats})", flush=True)
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
                f"  peak {peak:7.1f} MiB  total {total:.6f}",
                flush=True,
            )
        agree = len(totals) > 1 and np.allclose(totals, totals[0], rtol=1e-9, atol=1e-5)
        print(f"  optima agree: {'yes' if agree else 'NO'} ({len(totals)} solvers finished)")
        other = rows[1][2] if len(rows) > 1 else None
        summary.append((size, baseline, other, agree))
    print_summary(summary)


def print_summary(summary) -> None:
    """Print the table: medians, ratio to OR-Tools, peak memory, target."""
    print("\n| instance | this solver | OR-Tools | ratio | peak | optima agree | target |")
    print("|---|---|---|---|---|---|---|")
    untied = None
    for size, mine, other, agree in summary:
        if mine is None:
            print(f"| {size.name.strip()} | did not finish | | | | | {size.target} |")
            continue
        ratio = f"{mine[0] / other[0]:.2f}×" if other else "–"
        theirs = f"{other[0] * 1000:.1f} ms" if other else "–"
        target = size.target
        if size.tied and untied:
            target += f" (tied / untied = {mine[0] / untied:.2f}×)"
        if size.nearest and not size.tied and size.units < 10_000:
            untied = mine[0]
        print(
            f"| {size.name.strip()} | {mine[0] * 1000:.1f} ms | {theirs} | {ratio} "
            f"| {mine[2]:.0f} MiB | {'yes' if agree else 'NO'} | {target} |"
        )


if __name__ == "__main__":
    main()
