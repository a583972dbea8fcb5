"""Exact quotas, capacity 1: an ε-scaling auction in numpy, certified by an LP dual bound.

When every unit may take one community and every community must take exactly its quota
(``min == max``, the county's and the city's usual plan), the pairing is an assignment
in which each community's slots must all be filled and a unit may stay unpaired. Here
the communities are the bidders (Bertsekas' auction for similar persons): each round,
every community with open slots bids, all at once, for its best units at their current
prices, raising each price by the bid's margin over the community's next-best unit plus
ε; a unit goes to its highest bidder and its previous holder reopens a slot. ε shrinks
by ``SHRINK`` per phase (prices carried over, pairs cleared) down to a level at which
the answer is within the tolerance of the optimum.

The answer is never taken on trust: ``dual_bound`` turns the unit prices into a feasible
solution of the LP dual of the whole problem (every allowed pair, capacities, minimum
and maximum quotas) and the pairing is accepted only when its total is within
``GAP_TOLERANCE × max|score|`` of that upper bound (weak LP duality). Otherwise, or when
the instance has other capacities or quotas, ``None`` sends it to the priced LP.

Prices are kept as integers (scores scaled by a power of two, held exactly in float64),
so a bid always raises a price by at least ε and the rounds cannot stall on rounding.
"""

from __future__ import annotations

import numpy as np

from marketplace.pairing.feasibility import Remainder
from marketplace.pairing.routing import usable

# The pairing is accepted when the dual bound exceeds its total by at most this, times
# the largest absolute score (the priced LP prices a pair in at the same level).
GAP_TOLERANCE = 1e-9
# ε is divided by this at each phase (measured on the city benchmark).
SHRINK = 16
# Scores are scaled to integers of at most this size (exact in float64 with room for
# the prices, which stay below twice the largest value).
SCALED_MAX = 2.0**50
# A phase stops when at most this many communities (or this share of them) still bid:
# the last few open slots are filled along shortest augmenting paths instead, where the
# auction would move them one unit per round across the whole graph.
TAIL = 8
TAIL_SHARE = 0.05
# A phase that needs more rounds than this (a bidding war over a few units) gives up.
MAX_ROUNDS = 100_000


def applies(rest: Remainder) -> bool:
    """Say whether the auction can take ``rest``: capacities at most 1, exact quotas."""
    mask = usable(rest)
    return bool(
        mask.any()
        and (rest.capacity[rest.unit[mask]] == 1).all()
        and (rest.min_quota == rest.max_quota).all()
    )


def solve_by_auction(rest: Remainder) -> np.ndarray | None:
    """Return the optimal free pairs (positions in ``rest``), or None if not certified."""
    positions = np.flatnonzero(usable(rest))
    table = _CommunityTable(rest, positions)
    quota = np.maximum(rest.max_quota, 0)
    if (table.degree < quota).any():
        return None  # decided by the feasibility check; never reached from ``solve``
    score = rest.score[positions]
    largest = max(1.0, float(np.abs(score).max(initial=0.0)))
    unit_scale = 2.0 ** np.floor(np.log2(SCALED_MAX / largest))
    value = np.rint(score * unit_scale)
    slots = int(quota.sum())
    # Within ε of optimal per slot: the total is within slots × ε of the optimum.
    final = max(1.0, np.floor(GAP_TOLERANCE * largest * unit_scale / (4 * (slots + 1))))
    epsilon = max(final, float(np.floor((value.max() - value.min()) / SHRINK)) or 1.0)
    price = np.zeros(rest.n_units)
    holder = np.full(rest.n_units, -1, dtype=np.int64)
    tail = max(TAIL, int(TAIL_SHARE * quota.size))
    while True:
        _release(table, value, price, holder, epsilon)
        outcome = _phase(table, value, price, quota, epsilon, holder, tail)
        if outcome is None:
            return None
        holder, open_slots = outcome
        if epsilon <= final:
            break
        epsilon = max(final, float(np.floor(epsilon / SHRINK)))
    # A community that lost a unit in the round that also won it one may hold units
    # worth less than the lost one (ε-complementary slackness broken); it would have
    # bid again, had the phase gone on: release those, the paths below refill them.
    _release(table, value, price, holder, epsilon)
    open_slots = quota - np.bincount(holder[holder >= 0], minlength=quota.size)
    graph = _Residual(rest, positions, value)
    while open_slots.any():
        if not graph.augment(price, holder, open_slots, epsilon):
            return None
    held = np.flatnonzero(holder >= 0)
    chosen = table.position_of(held, holder[held])
    unit_dual = np.where(holder >= 0, price / unit_scale, 0.0)
    bound = dual_bound(rest, positions, unit_dual)
    total = float(rest.score[positions[chosen]].sum())
    if bound - total > GAP_TOLERANCE * largest:
        return None
    return np.sort(positions[chosen])


def _release(table, value, price, holder, epsilon) -> None:
    """Free the held units worth less to their community than its best other unit − ε.

    What is left meets ε-complementary slackness: every community's units are worth at
    least the best unit it does not hold, minus ε.
    """
    worth, held, best_other, _ = table.slack(value, price, holder)
    holder[table.flat_unit[held & (worth < best_other[table.flat_community] - epsilon)]] = -1


def _phase(table, value, price, quota, epsilon, holder, tail):
    """Run one auction phase at ``epsilon`` until at most ``tail`` communities bid.

    Return (each unit's community or -1, each community's open slots), or None.
    """
    holder = holder.copy()
    rows = np.arange(table.n_communities)
    open_slots = quota - np.bincount(holder[holder >= 0], minlength=quota.size)
    for _ in range(MAX_ROUNDS):
        bidders = rows[open_slots > 0]
        if bidders.size <= tail:
            return holder, open_slots
        units = table.unit[bidders]  # (bidders, width), -1 padding
        worth = table.value(value, bidders) - price[units]
        # A community never bids for a unit it already holds.
        worth[holder[units] == bidders[:, None]] = -np.inf
        need = open_slots[bidders]
        depth = min(int(need.max()) + 1, worth.shape[1])
        top = np.argpartition(-worth, depth - 1, axis=1)[:, :depth]
        top_worth = np.take_along_axis(worth, top, axis=1)
        order = np.argsort(-top_worth, axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        top_worth = np.take_along_axis(top_worth, order, axis=1)
        # The community's next-best unit after the ``need`` it bids for sets the margin.
        width = np.arange(depth)
        has_next = need < depth
        next_worth = np.where(
            has_next,
            top_worth[np.arange(bidders.size), np.minimum(need, depth - 1)],
            -np.inf,
        )
        bidding = (width[None, :] < need[:, None]) & np.isfinite(top_worth)
        if not bidding.any():
            return None  # a community with open slots and no unit left: not for us
        row, column = np.nonzero(bidding)
        unit = units[row, top[row, column]]
        gain = top_worth[row, column]
        floor_worth = np.where(np.isfinite(next_worth[row]), next_worth[row], gain - epsilon)
        bid = price[unit] + (gain - floor_worth) + epsilon
        community = bidders[row]
        # Each unit goes to its highest bidder (the lowest community on a tie).
        order = np.lexsort((community, -bid, unit))
        unit, bid, community = unit[order], bid[order], community[order]
        first = np.ones(unit.size, dtype=bool)
        first[1:] = unit[1:] != unit[:-1]
        unit, bid, community = unit[first], bid[first], community[first]
        previous = holder[unit]
        np.add.at(open_slots, previous[previous >= 0], 1)
        np.subtract.at(open_slots, community, 1)
        holder[unit] = community
        price[unit] = bid
        # A community's slots are alike: its units must all be worth the same to it, or
        # losing its best one would leave the others below what that one is still worth.
        # Raising the better ones' prices to its lowest held worth keeps that true.
        _level(table, value, price, holder, np.unique(community))
    return None


def _level(table, value, price, holder, rows) -> None:
    """Raise the prices of the units ``rows`` hold so that each is worth the same to them."""
    units = table.unit[rows]
    worth = table.value(value, rows) - price[units]
    held = (holder[units] == rows[:, None]) & (units >= 0)
    lowest = np.where(held, worth, np.inf).min(axis=1)
    excess = np.where(held, worth - lowest[:, None], 0.0)
    raised = excess > 0
    price[units[raised]] += excess[raised]


class _CommunityTable:
    """Each community's allowed units in one padded row (``-1`` pads), for row-wise work."""

    def __init__(self, rest: Remainder, positions: np.ndarray):
        community, unit = rest.community[positions], rest.unit[positions]
        self.n_communities = rest.n_communities
        self.degree = np.bincount(community, minlength=rest.n_communities)
        order = np.argsort(community, kind="stable")
        first = np.cumsum(self.degree) - self.degree
        rank = np.arange(order.size) - first[community[order]]
        width = max(1, int(self.degree.max(initial=0)))
        self.pair = np.full((rest.n_communities, width), -1, dtype=np.int64)
        self.pair[community[order], rank] = order
        self.unit = np.where(self.pair >= 0, unit[self.pair], -1)
        self.n_pairs = positions.size
        # The same pairs as flat arrays grouped by community, for per-community maxima.
        self.flat_pair = order
        self.flat_unit, self.flat_community = unit[order], community[order]
        self.nonempty = np.flatnonzero(self.degree)
        self.starts = first[self.nonempty]

    def slack(self, value, price, holder):
        """Return each pair's worth, whether it is held, and per community the best
        unheld and the lowest held worth (grouped as ``flat_unit``)."""
        worth = value[self.flat_pair] - price[self.flat_unit]
        held = holder[self.flat_unit] == self.flat_community
        best_other = np.full(self.n_communities, -np.inf)
        lowest_held = np.full(self.n_communities, np.inf)
        if self.starts.size:
            best_other[self.nonempty] = np.maximum.reduceat(
                np.where(held, -np.inf, worth), self.starts
            )
            lowest_held[self.nonempty] = np.minimum.reduceat(
                np.where(held, worth, np.inf), self.starts
            )
        return worth, held, best_other, lowest_held

    def value(self, value: np.ndarray, rows: np.ndarray) -> np.ndarray:
        pair = self.pair[rows]
        return np.where(pair >= 0, value[pair], -np.inf)

    def position_of(self, units: np.ndarray, communities: np.ndarray) -> np.ndarray:
        """Return the index (into the usable pairs) of each (unit, community) pair."""
        match = self.unit[communities] == units[:, None]
        return self.pair[communities, np.argmax(match, axis=1)]


def dual_bound(rest: Remainder, positions: np.ndarray, unit_dual: np.ndarray) -> float:
    """Return the LP dual objective of the whole free problem at unit duals ``unit_dual``.

    For any non-negative unit duals π, the best community duals and pair bounds follow
    in closed form: community c contributes the largest total of between ``min[c]`` and
    ``max[c]`` of its reduced scores ``score - π[unit]`` (its ``min`` best, plus the
    positive ones among the next ``max - min``). The sum of ``capacity × π`` and these
    is an upper bound on every pairing's total (weak duality), for every allowed pair.
    """
    unit_dual = np.maximum(unit_dual, 0.0)
    unit, community = rest.unit[positions], rest.community[positions]
    reduced = rest.score[positions] - unit_dual[unit]
    order = np.lexsort((-reduced, community))
    degree = np.bincount(community, minlength=rest.n_communities)
    first = np.cumsum(degree) - degree
    rank = np.arange(order.size) - first[community[order]]
    sorted_reduced = reduced[order]
    owner = community[order]
    low, high = rest.min_quota[owner], np.maximum(rest.max_quota[owner], 0)
    counted = (rank < low) | ((rank < high) & (sorted_reduced > 0))
    capacity = np.maximum(rest.capacity, 0)
    return float(capacity @ unit_dual + sorted_reduced[counted].sum())


class _Residual:
    """Fill the last open slots along shortest augmenting paths (Dijkstra, in SciPy).

    Node potentials are the communities' profits and the units' prices. With reduced
    costs ``profit - worth + ε`` on unheld pairs and ``worth - profit`` on held ones (all
    non-negative under ε-complementary slackness), one Dijkstra from every community
    with an open slot gives shortest paths to the free units; the potentials move by the
    distances (capped at the target's), so every path found stays tight and every
    reduced cost non-negative, and paths to several free units are taken at once when
    they share no node.
    """

    def __init__(self, rest: Remainder, positions: np.ndarray, value: np.ndarray):
        self.unit, self.community = rest.unit[positions], rest.community[positions]
        self.value = value
        self.n_communities = rest.n_communities
        self.size = rest.n_communities + rest.n_units
        self.profit = None

    def augment(self, price, holder, open_slots, epsilon) -> bool:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        unit, community, m = self.unit, self.community, self.n_communities
        worth = self.value - price[unit]
        held = holder[unit] == community
        if self.profit is None:
            lowest_held = np.full(m, np.inf)
            np.minimum.at(lowest_held, community[held], worth[held])
            best_free = np.full(m, -np.inf)
            np.maximum.at(best_free, community[~held], worth[~held])
            self.profit = np.where(open_slots > 0, np.minimum(lowest_held, best_free), lowest_held)
            self.profit[~np.isfinite(self.profit)] = 0.0
        profit = self.profit
        reduced = np.where(held, worth - profit[community], profit[community] - worth + epsilon)
        np.maximum(reduced, 0.0, out=reduced)
        tails = np.where(held, m + unit, community)
        heads = np.where(held, community, m + unit)
        graph = csr_matrix((reduced, (tails, heads)), shape=(self.size, self.size))
        sources = np.flatnonzero(open_slots > 0)
        distance, predecessor, _ = dijkstra(
            graph, indices=sources, min_only=True, return_predecessors=True
        )
        free = m + np.flatnonzero(holder < 0)
        free = free[np.isfinite(distance[free])]
        if not free.size:
            return False
        free = free[np.argsort(distance[free], kind="stable")]
        used = np.zeros(self.size, dtype=bool)
        left = open_slots.copy()
        paths, reach = [], 0.0
        for target in free.tolist():
            path = [target]
            while predecessor[path[-1]] >= 0:
                path.append(int(predecessor[path[-1]]))
            root = path[-1]
            if used[path[:-1]].any() or left[root] == 0:
                break
            used[path[:-1]] = True
            left[root] -= 1
            paths.append(path)
            reach = float(distance[target])
        step = np.minimum(distance, reach)
        profit += step[:m] - reach
        price += reach - step[m:]
        for path in paths:
            # path: free unit, community, unit, ..., community with an open slot
            for position in range(0, len(path) - 1, 2):
                holder[path[position] - m] = path[position + 1]
            open_slots[path[-1]] -= 1
        return True
