"""Building small pairing instances for the optimizer's tests."""

import numpy as np

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
