"""Building small pairing instances for the optimizer's tests."""

import numpy as np
import pytest

from marketplace.pairing import PairingProblem


def make_problem(scores, capacity=None, low=None, high=None, pinned=(), forbidden=()):
    """Return a dense instance: units u0…, communities c0…; capacity 1, quota 0–1 by default."""
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


def assert_valid(problem, result) -> None:
    """Assert that ``result`` is a feasible answer of ``problem`` whose total is its pairs' sum.

    Works for dense and sparse instances alike: every pair is allowed, no pair twice, the
    pinned pairs in, the forbidden ones out, capacities and quotas held.
    """
    from marketplace.pairing.problem import check_problem

    checked = check_problem(problem)
    unit = {u: i for i, u in enumerate(problem.unit_ids)}
    community = {c: j for j, c in enumerate(problem.community_ids)}
    assert len(set(result.pairs)) == len(result.pairs)
    assert set(problem.pinned) <= set(result.pairs)
    assert not set(problem.forbidden) & set(result.pairs)
    units = np.array([unit[u] for u, _ in result.pairs], dtype=np.int64)
    communities = np.array([community[c] for _, c in result.pairs], dtype=np.int64)
    found = checked.find(units, communities)
    assert (found >= 0).all()  # every pair is an allowed one
    assert (np.bincount(units, minlength=checked.n_units) <= checked.capacity).all()
    per_community = np.bincount(communities, minlength=checked.n_communities)
    assert (checked.min_quota <= per_community).all()
    assert (per_community <= checked.max_quota).all()
    assert float(checked.score[found].sum()) == pytest.approx(result.total_score, abs=1e-6)
