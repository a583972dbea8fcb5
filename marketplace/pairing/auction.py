"""Capacity 1, exact quotas: an ε-scaling auction in numpy, certified by an LP dual bound.

When every unit may take one community and every community must take exactly its quota
(``min == max``, the county's and the city's usual plan), the pairing is an assignment
that fills every slot; a stand-in community takes the units left over, so that every
unit is paired (the unpaired ones are those it holds). The communities bid
(Bertsekas' auction for similar persons): each round, every community with open slots
bids, all at once, for its best units at their current prices, raising each price to
leave the unit worth the community's next-best unit minus ε; a unit goes to its highest
bidder and its previous holder reopens a slot. A community's units are kept worth the
same to it (its *level*), so that losing one never leaves the others below it. ε
shrinks by ``SHRINK`` per phase (prices kept, pairs that break ε-complementary
slackness released); a phase stops when only a few communities still bid, and the last
open slots are filled along shortest augmenting paths (SciPy's Dijkstra on reduced
costs), which the auction would walk one unit per round across the whole map.

The answer is never taken on trust: ``certificate.dual_bound`` turns the unit prices into a feasible
solution of the LP dual of the whole problem (every allowed pair, capacities, minimum
and maximum quotas), and the pairing is accepted only when its total is within
``GAP_TOLERANCE × max|score|`` of that upper bound (weak LP duality), or within half a
step when every score sits on a grid (then two pairings' totals differ by whole steps).
Otherwise, and for other capacities or quotas, the priced LP answers.

Prices are kept as integers (scores scaled by a power of two, held exactly in float64),
so a bid always raises a price by at least ε and the rounds cannot stall on rounding.
"""

from __future__ import annotations

import numpy as np

from marketplace.pairing.augmenting import ShortestPaths
from marketplace.pairing.certificate import GAP_TOLERANCE, community_rows, dual_bound, grid_step
from marketplace.pairing.feasibility import Remainder
from marketplace.pairing.routing import usable

# ε is divided by this at each phase (measured on the city benchmark).
SHRINK = 16
# Scores are scaled to integers of at most this size (exact in float64 with room for
# the prices, which stay below twice the largest value).
SCALED_MAX = 2.0**50
# A phase stops when at most this many communities (or this share of them) still bid:
# the last few open slots are filled along shortest augmenting paths instead, where the
# auction would move them one unit per round across the whole graph.
TAIL = 16
TAIL_SHARE = 0.002
# ... or when no slot has been filled for STALL_ROUNDS rounds and at most STALL_SHARE of
# the communities still bid.
STALL_ROUNDS = 10
STALL_SHARE = 0.05
STALL_MOST = 32
# The padded tables may hold at most this many cells per allowed pair (about 100 bytes
# per pair in all, below the priced LP's 320 in ``routing``).
PADDING = 4
# A phase that needs more rounds than this gives up and the priced LP answers (the
# province's longest phase takes about 900 rounds).
MAX_ROUNDS = 20_000


def applies(rest: Remainder) -> bool:
    """Say whether the auction takes ``rest``: capacity 1, exact quotas, at least as
    many units (that may pair at all) as slots, and rows of similar length."""
    mask = usable(rest)
    units = np.flatnonzero(np.bincount(rest.unit[mask], minlength=rest.n_units))
    if not (
        units.size
        and (rest.capacity[units] == 1).all()
        and (rest.min_quota == rest.max_quota).all()
        and units.size >= int(np.maximum(rest.max_quota, 0).sum())
    ):
        return False
    # Each community's pairs fill one row of padded tables: with very uneven degrees
    # they would be mostly padding (and could outgrow the LP's memory budget).
    degree = np.bincount(rest.community[mask], minlength=rest.n_communities)
    return rest.n_communities * int(degree.max()) <= PADDING * int(mask.sum()) + 10_000


def solve_by_auction(rest: Remainder) -> np.ndarray | None:
    """Return the optimal free pairs (positions in ``rest``), or None if not certified."""
    positions = np.flatnonzero(usable(rest))
    quota = np.maximum(rest.max_quota, 0)
    if (np.bincount(rest.community[positions], minlength=quota.size) < quota).any():
        return None  # decided by the feasibility check; never reached from ``solve``
    score = rest.score[positions]
    largest = max(1.0, float(np.abs(score).max(initial=0.0)))
    unit_scale = 2.0 ** np.floor(np.log2(SCALED_MAX / largest))
    value = np.rint(score * unit_scale)
    paired = np.flatnonzero(np.bincount(rest.unit[positions], minlength=rest.n_units))
    # ε-complementary slackness puts the total within ε per unit of the optimum. Every
    # pairing fills all the slots, so with scores on a grid (steps of 0.05, say) two
    # totals differ by a whole number of steps, and less than half a step is exact: up
    # to the scores' own distance from the grid, which must stay within the tolerance.
    tolerance = GAP_TOLERANCE * largest
    step = grid_step(score, slack=tolerance / (4 * (paired.size + 1)))
    accepted = max(tolerance, step / 2) if step > 4 * tolerance else tolerance
    final = max(1.0, np.floor(accepted * unit_scale / (2 * (paired.size + 1))))
    epsilon = max(final, float(np.floor((value.max() - value.min()) / SHRINK)) or 1.0)
    market = _Market(rest, positions, value, quota, paired)
    tail = max(TAIL, int(TAIL_SHARE * quota.size))
    while True:
        market.release(epsilon)
        if not market.bid_rounds(epsilon, tail):
            return None
        if epsilon <= final:
            break
        epsilon = max(final, float(np.floor(epsilon / SHRINK)))
    # A community that won and lost units in the same round may hold units worth less
    # than the lost one (it would have bid again, had the phase gone on): release them,
    # and fill the last open slots along shortest augmenting paths.
    market.release(epsilon)
    price = market.prices()
    holder, open_slots = market.holder, market.open_slots
    graph = ShortestPaths(market, price)
    while open_slots.any():
        if not graph.augment(price, holder, open_slots, epsilon):
            return None
    # The pairs are sorted by unit, then community: find the held ones by their key.
    held = np.flatnonzero((holder >= 0) & (holder < rest.n_communities))
    key = rest.unit[positions] * rest.n_communities + rest.community[positions]
    chosen = np.searchsorted(key, held * rest.n_communities + holder[held])
    # Prices are duals up to a common shift: the units left unpaired (held by the
    # stand-in community) are the cheapest, within ε, and their dual is zero.
    unpaired = holder == rest.n_communities
    zero = float(price[unpaired].max()) if unpaired.any() else 0.0
    unit_dual = np.where(holder >= 0, (price - zero) / unit_scale, 0.0)
    unit_dual[unpaired] = 0.0
    bound = dual_bound(rest, positions, unit_dual, market.pair)
    total = float(score[chosen].sum())
    if bound - total > accepted:
        return None
    return np.sort(positions[chosen])


class _Market:
    """The auction's state: who holds which unit, and the prices.

    Each community's allowed pairs sit in one row of padded tables (``-inf`` values pad
    them). A community's units are all worth the same to it, its *level* (its slots are
    alike: were one worth more, losing it would leave the others below what it is still
    worth): a held unit's price is its value to its holder minus the holder's level, so
    a community that wins a unit at a lower worth raises the prices of the others with
    no work. Free units keep an explicit price.

    With more units (``paired``: those that may pair at all) than slots, a stand-in
    community numbered ``n_communities`` takes the surplus: every unit is worth 0 to it,
    so it holds the cheapest units, which are the ones left unpaired. Every unit is then
    paired, and the cheapest-first rule is what makes the unpaired units' duals zero.
    It bids outside the padded tables, over all units at once.
    """

    def __init__(self, rest: Remainder, positions, value, quota, paired):
        unit, community = rest.unit[positions], rest.community[positions]
        self.n_communities = rest.n_communities
        spare = paired.size - int(quota.sum())
        self.stand_in = rest.n_communities if spare > 0 else None
        self.paired = paired
        self.quota = np.append(quota, spare) if spare > 0 else quota
        self.n_groups = self.quota.size
        self.degree = np.bincount(community, minlength=rest.n_communities)
        self.pair = community_rows(community, rest.n_communities)
        padding = self.pair < 0
        order = self.pair[~padding]  # the pairs grouped by community, row after row
        width = self.pair.shape[1]
        self.unit = np.where(padding, 0, unit[self.pair])  # padding: unit 0, worth -inf
        self.value = np.where(padding, -np.inf, value[self.pair])
        # The same pairs as flat arrays grouped by community (the stand-in's last), for
        # per-community maxima and the shortest paths.
        self.flat_value = value[order]
        self.flat_unit, self.flat_community = unit[order], community[order]
        degree = self.degree
        if self.stand_in is not None:
            self.flat_value = np.concatenate([self.flat_value, np.zeros(paired.size)])
            self.flat_unit = np.concatenate([self.flat_unit, paired])
            self.flat_community = np.concatenate(
                [self.flat_community, np.full(paired.size, self.stand_in)]
            )
            degree = np.append(degree, paired.size)
        self.nonempty = np.flatnonzero(degree)
        self.starts = (np.cumsum(degree) - degree)[self.nonempty]
        self.holder = np.full(rest.n_units, -1, dtype=np.int64)
        self.held_value = np.zeros(rest.n_units)
        self.free_price = np.zeros(rest.n_units)
        self.level = np.full(self.n_groups, np.inf)
        self.open_slots = self.quota.copy()
        # Each community's shortlist: room for its held units and one more than it bids for.
        self.short_width = min(width, 2 * int(quota.max(initial=0)) + 2)
        self.short_unit = np.zeros((rest.n_communities, self.short_width), dtype=np.int64)
        self.short_value = np.full((rest.n_communities, self.short_width), -np.inf)
        self.short_bound = np.full(rest.n_communities, -np.inf)
        # Prices never fall while bidding (phases included), so one list serves them all.
        self.shortlist(np.arange(rest.n_communities), self.free_price)

    def prices(self) -> np.ndarray:
        """Return every unit's price (held units: value to the holder minus its level)."""
        held = self.holder >= 0
        price = self.free_price.copy()
        price[held] = self.held_value[held] - self.level[self.holder[held]]
        return price

    def release(self, epsilon: float) -> None:
        """Free every unit of the communities whose level is below their best other
        unit's worth minus ε, so that the rest meets ε-complementary slackness."""
        price = self.prices()
        worth = self.flat_value - price[self.flat_unit]
        held = self.holder[self.flat_unit] == self.flat_community
        best_other = np.full(self.n_groups, -np.inf)
        if self.starts.size:
            best_other[self.nonempty] = np.maximum.reduceat(
                np.where(held, -np.inf, worth), self.starts
            )
        short = self.level < best_other - epsilon
        freed = np.flatnonzero((self.holder >= 0) & short[np.maximum(self.holder, 0)])
        self.free_price[freed] = price[freed]
        self.holder[freed] = -1
        self.level[short] = np.inf
        self.open_slots = self.quota - np.bincount(
            self.holder[self.holder >= 0], minlength=self.n_groups
        )

    def shortlist(self, rows: np.ndarray, price: np.ndarray) -> None:
        """Keep each of ``rows``' best ``short_width`` units at the current prices.

        Prices only rise while bidding, so no other unit can become worth more than
        ``short_bound`` (the best left out); a community whose next-best listed unit
        falls below that is listed again. Bidding then scans 18 columns, not 250.
        """
        units = self.unit[rows]
        worth = self.value[rows] - price[units]
        width = self.short_width
        if width >= worth.shape[1]:
            self.short_unit[rows], self.short_value[rows] = units, self.value[rows]
            return
        best = np.argpartition(-worth, width, axis=1)
        kept = best[:, :width]
        self.short_unit[rows] = np.take_along_axis(units, kept, axis=1)
        self.short_value[rows] = np.take_along_axis(self.value[rows], kept, axis=1)
        self.short_bound[rows] = np.take_along_axis(worth, best[:, width : width + 1], axis=1)[:, 0]

    def best_units(self, bidders, need, price):
        """Return each bidder's shortlist, its ``need + 1`` best units not held, best
        first (columns into the shortlist, and their worth), and the next-best worth."""
        units = self.short_unit[bidders]
        values = self.short_value[bidders]
        worth = values - price[units]
        # A community never bids for a unit it already holds.
        worth[self.holder[units] == bidders[:, None]] = -np.inf
        depth = min(int(need.max()) + 1, worth.shape[1])
        rows = np.arange(bidders.size)[:, None]
        top = np.argpartition(-worth, depth - 1, axis=1)[:, :depth]
        top_worth = worth[rows, top]
        order = np.argsort(-top_worth, axis=1, kind="stable")
        top, top_worth = top[rows, order], top_worth[rows, order]
        next_worth = np.where(
            need < depth, top_worth[rows[:, 0], np.minimum(need, depth - 1)], -np.inf
        )
        return units, values, top, top_worth, next_worth

    def stand_in_bids(self, price, epsilon):
        """Return the stand-in community's bids: its cheapest units it does not hold.

        Every unit is worth 0 to it, so it takes the ``need`` cheapest, each raised to
        the next-cheapest unit's price plus ε. Returns (units, bids, community, values,
        floors), like the other communities' bids.
        """
        stand_in = self.stand_in
        need = int(self.open_slots[stand_in])
        units = self.paired[self.holder[self.paired] != stand_in]
        count = min(need + 1, units.size)
        cheapest = np.argpartition(price[units], count - 1)[:count]
        cheapest = cheapest[np.argsort(price[units[cheapest]], kind="stable")]
        units = units[cheapest]
        floor = -(price[units[need]] if need < units.size else price[units[-1]]) - epsilon
        units = units[:need]
        size = units.size
        return (
            units,
            np.full(size, -floor),
            np.full(size, stand_in),
            np.zeros(size),
            np.full(size, floor),
        )

    def bid_rounds(self, epsilon: float, tail: int) -> bool:
        """Run bidding rounds at ``epsilon`` until at most ``tail`` communities bid.

        Every community with open slots bids at once for its best units, each raised to
        leave it worth the community's next-best unit minus ε; a unit goes to its
        highest bidder. Return False if a community with open slots has no unit left.
        """
        rows = np.arange(self.n_communities)
        open_slots, holder = self.open_slots, self.holder
        fewest, stalled = int(open_slots.sum()), 0
        stall_size = min(STALL_SHARE * self.n_communities, STALL_MOST)
        for _ in range(MAX_ROUNDS):
            bidders = rows[open_slots[: rows.size] > 0]
            if bidders.size <= tail:
                return True
            # A few communities outbidding each other round after round (tied scores):
            # leave them to the shortest paths too.
            left = int(open_slots.sum())
            fewest, stalled = (left, 0) if left < fewest else (fewest, stalled + 1)
            if stalled >= STALL_ROUNDS and bidders.size <= stall_size:
                return True
            price = self.prices()
            need = open_slots[bidders]
            units, values, top, top_worth, next_worth = self.best_units(bidders, need, price)
            # A unit off the shortlist may now beat the next-best one: list again.
            stale = next_worth < self.short_bound[bidders]
            if stale.any():
                self.shortlist(bidders[stale], price)
                units, values, top, top_worth, next_worth = self.best_units(bidders, need, price)
            depth = top.shape[1]
            bidding = (np.arange(depth)[None, :] < need[:, None]) & np.isfinite(top_worth)
            if not bidding[:, 0].all():
                return False
            # What each community's next-best unit is worth sets its margin; with none,
            # the worst unit it bids for does.
            last = np.where(bidding, top_worth, np.inf).min(axis=1)
            floor = np.where(np.isfinite(next_worth), next_worth, last)
            floor -= epsilon  # each unit won will be worth this to the community
            row, column = np.nonzero(bidding)
            unit = units[row, top[row, column]]
            gain = top_worth[row, column]
            bids = [
                (
                    unit,
                    price[unit] + gain - floor[row],
                    bidders[row],
                    values[row, top[row, column]],
                    floor[row],
                )
            ]
            if self.stand_in is not None and open_slots[self.stand_in] > 0:
                bids.append(self.stand_in_bids(price, epsilon))
            unit, bid, community, value, floor = (
                np.concatenate(part) for part in zip(*bids, strict=True)
            )
            # Each unit goes to its highest bidder (the lowest community on a tie: the
            # bids come in community order and the sort is stable).
            order = np.lexsort((-bid, unit))
            first = np.ones(order.size, dtype=bool)
            first[1:] = unit[order[1:]] != unit[order[:-1]]
            won = order[first]
            unit, community = unit[won], community[won]
            previous = holder[unit]
            open_slots += np.bincount(previous[previous >= 0], minlength=open_slots.size)
            open_slots -= np.bincount(community, minlength=open_slots.size)
            holder[unit] = community
            self.held_value[unit] = value[won]
            # All of a community's bids share its floor, so repeated indices agree.
            self.level[community] = np.minimum(self.level[community], floor[won])
        return False
