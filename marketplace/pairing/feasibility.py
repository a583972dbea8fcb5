"""Decide whether a pairing exists, and say why not, as data a caller words for its reader.

The checks run from the simplest cause to the most general one, so the reason names
the plainest fact that rules the pairing out: pinned pairs that break a rule, minimum
quotas above the units' total capacity, a community with too few allowed units, and
finally a maximum flow whose minimum cut names the group of communities that cannot
all reach their minimum together. A feasible problem also gets a *seed*: pairs that
meet every minimum within every capacity and maximum, which the priced LP starts from
so that its first restricted LP is never infeasible.

Everything works on the list of allowed pairs (never an n × m matrix). The reasons are
``Infeasible`` records (a cause and the ids and numbers involved);
``marketplace.pairing.reasons`` words them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marketplace.pairing.problem import CheckedProblem


@dataclass(frozen=True)
class Remainder:
    """What is left to decide once the pinned pairs are fixed: the free pairs as arrays."""

    n_units: int
    n_communities: int
    unit: np.ndarray  # per free pair (allowed, not pinned), sorted by unit then community
    community: np.ndarray
    score: np.ndarray
    capacity: np.ndarray  # per unit, pinned pairs deducted
    min_quota: np.ndarray  # per community, pinned pairs deducted (never below 0)
    max_quota: np.ndarray  # per community, pinned pairs deducted
    origin: np.ndarray  # each free pair's position in the checked problem's pair list

    @property
    def per_unit(self) -> np.ndarray:
        return np.bincount(self.unit, minlength=self.n_units)

    @property
    def per_community(self) -> np.ndarray:
        return np.bincount(self.community, minlength=self.n_communities)


# Above this share of the capacity taken by the minimums, skip the greedy pass.
GREEDY_SHARE = 0.9

# Causes, each with the fields it fills (``reasons.describe`` words them):
PINNED_FORBIDDEN = "pinned_forbidden"  # units, communities: the pinned pair not allowed
UNIT_OVER_PINNED = "unit_over_pinned"  # units; needed = pinned, limit = capacity
COMMUNITY_OVER_PINNED = "community_over_pinned"  # communities; needed = pinned, limit = max
CAPACITY_TOTAL = "capacity_total"  # needed = sum of minimums, available = sum of capacities
TOO_FEW_ALLOWED = "too_few_allowed"  # counts: (community, minimum, allowed units) each
GROUP_SHORT = "group_short"  # communities; needed = their minimums, available = offered
CHANGE_LIMIT = "change_limit"  # limit = pairs that may change, available = previous pairs


@dataclass(frozen=True)
class Infeasible:
    """Why no pairing exists: a cause and the ids and numbers it involves."""

    cause: str
    units: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()
    short_communities: tuple[str, ...] = ()
    needed: int = 0
    available: int = 0
    limit: int = 0
    counts: tuple[tuple[str, int, int], ...] = ()


def remainder(checked: CheckedProblem) -> Remainder:
    """Fix the pinned pairs: deduct them from capacities and quotas."""
    pinned_per_unit = np.zeros_like(checked.capacity)
    pinned_per_community = np.zeros_like(checked.min_quota)
    free = np.ones(checked.unit.size, dtype=bool)
    if checked.pinned:
        units, communities = checked.pinned_arrays()
        np.add.at(pinned_per_unit, units, 1)
        np.add.at(pinned_per_community, communities, 1)
        position = checked.find(units, communities)
        free[position[position >= 0]] = False
    return Remainder(
        n_units=checked.n_units,
        n_communities=checked.n_communities,
        unit=checked.unit[free],
        community=checked.community[free],
        score=checked.score[free],
        capacity=checked.capacity - pinned_per_unit,
        min_quota=np.maximum(checked.min_quota - pinned_per_community, 0),
        max_quota=checked.max_quota - pinned_per_community,
        origin=np.flatnonzero(free),
    )


def _pinned_conflict(checked, rest, unit_ids, community_ids) -> Infeasible | None:
    if checked.pinned:
        units, communities = checked.pinned_arrays()
        missing = np.flatnonzero(checked.find(units, communities) < 0)
        if missing.size:
            unit, community = units[missing[0]], communities[missing[0]]
            return Infeasible(
                PINNED_FORBIDDEN, units=(unit_ids[unit],), communities=(community_ids[community],)
            )
    for unit in np.flatnonzero(rest.capacity < 0):
        return Infeasible(
            UNIT_OVER_PINNED,
            units=(unit_ids[unit],),
            needed=int(checked.capacity[unit] - rest.capacity[unit]),
            limit=int(checked.capacity[unit]),
        )
    over = np.flatnonzero(rest.max_quota < 0)
    if over.size:
        community = over[0]
        return Infeasible(
            COMMUNITY_OVER_PINNED,
            communities=(community_ids[community],),
            short_communities=tuple(community_ids[c] for c in over),
            needed=int(checked.max_quota[community] - rest.max_quota[community]),
            limit=int(checked.max_quota[community]),
        )
    return None


def _flow_graph(rest: Remainder):
    from scipy.sparse import coo_matrix, csr_matrix  # SciPy on first use: fast CLI start

    units, communities = rest.n_units, rest.n_communities
    source, sink = units + communities, units + communities + 1
    size = sink + 1
    tails = np.concatenate([np.full(units, source), rest.unit, units + np.arange(communities)])
    heads = np.concatenate([np.arange(units), units + rest.community, np.full(communities, sink)])
    capacities = np.concatenate(
        [rest.capacity, np.ones(rest.unit.size, dtype=np.int64), rest.min_quota]
    ).astype(np.int32)
    return csr_matrix(coo_matrix((capacities, (tails, heads)), shape=(size, size)))


def _max_flow(rest: Remainder, community_ids) -> tuple[Infeasible | None, np.ndarray]:
    """Run a maximum flow: a seed if it meets every minimum, else the short group."""
    from scipy.sparse.csgraph import breadth_first_order, maximum_flow

    units, communities = rest.n_units, rest.n_communities
    source, sink = units + communities, units + communities + 1
    graph = _flow_graph(rest)
    flow = maximum_flow(graph, source, sink)
    needed = int(rest.min_quota.sum())
    if flow.flow_value >= needed:
        carried = np.asarray(flow.flow[rest.unit, units + rest.community]).ravel() > 0
        return None, np.flatnonzero(carried)
    # Nodes that can still reach the sink in the residual graph form the smallest
    # minimum cut; its communities are the group that cannot reach their minimum.
    residual = (graph - flow.flow).tocsr()
    residual.data = (residual.data > 0).astype(np.int8)
    residual.eliminate_zeros()
    reaching = breadth_first_order(residual.T.tocsr(), sink, directed=True)[0]
    short = np.sort(reaching[(reaching >= units) & (reaching < units + communities)] - units)
    inside = np.isin(rest.community, short)
    per_unit = np.minimum(rest.capacity, np.bincount(rest.unit[inside], minlength=units))
    named = tuple(community_ids[c] for c in short)
    infeasible = Infeasible(
        GROUP_SHORT,
        communities=named,
        short_communities=named,
        needed=int(rest.min_quota[short].sum()),
        available=int(per_unit.sum()),
    )
    return infeasible, np.zeros(0, dtype=np.int64)


def find_infeasibility(
    checked: CheckedProblem, rest: Remainder, unit_ids, community_ids
) -> tuple[Infeasible | None, np.ndarray]:
    """Return (why no pairing satisfies every rule or None, seed pair positions in ``rest``)."""
    nothing = np.zeros(0, dtype=np.int64)
    conflict = _pinned_conflict(checked, rest, unit_ids, community_ids)
    if conflict:
        return conflict, nothing
    total_min, total_capacity = int(checked.min_quota.sum()), int(checked.capacity.sum())
    if total_min > total_capacity:
        return Infeasible(CAPACITY_TOTAL, needed=total_min, available=total_capacity), nothing
    allowed_units = np.bincount(checked.community, minlength=checked.n_communities)
    short = np.flatnonzero(allowed_units < checked.min_quota)
    if short.size:
        named = tuple(community_ids[c] for c in short)
        counts = tuple(
            (community_ids[c], int(checked.min_quota[c]), int(allowed_units[c])) for c in short
        )
        return Infeasible(TOO_FEW_ALLOWED, short_communities=named, counts=counts), nothing
    if rest.min_quota.sum() == 0:
        return None, nothing
    # The greedy pass rarely succeeds when the minimums take nearly all the capacity
    # (the city's plan: 4,000 slots for 4,000 units); the maximum flow decides then.
    if rest.min_quota.sum() < GREEDY_SHARE * np.maximum(rest.capacity, 0).sum():
        seed = _greedy_seed(rest)
        if seed is not None:
            return None, seed
    return _max_flow(rest, community_ids)


def _greedy_seed(rest: Remainder) -> np.ndarray | None:
    """Try to meet every minimum greedily: a fast proof of feasibility, or None.

    Communities with the largest minimum go first and take the allowed units with the
    most capacity left. Success proves a pairing exists (and the chosen pairs are the
    seed); failure proves nothing, and the maximum flow decides (and explains).
    """
    remaining = rest.capacity.copy()
    order = np.argsort(rest.community, kind="stable")
    starts = np.searchsorted(rest.community[order], np.arange(rest.n_communities + 1))
    chosen = []
    for community in np.argsort(-rest.min_quota, kind="stable"):
        needed = rest.min_quota[community]
        if needed == 0:
            break
        positions = order[starts[community] : starts[community + 1]]
        positions = positions[remaining[rest.unit[positions]] > 0]
        if positions.size < needed:
            return None
        taken = positions[np.argsort(-remaining[rest.unit[positions]], kind="stable")[:needed]]
        remaining[rest.unit[taken]] -= 1
        chosen.append(taken)
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
