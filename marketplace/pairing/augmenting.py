"""Fill an auction's last open slots along shortest augmenting paths (SciPy's Dijkstra)."""

from __future__ import annotations

import numpy as np


class ShortestPaths:
    """Fill the last open slots along shortest augmenting paths (Dijkstra, in SciPy).

    Node potentials are the communities' profits and the units' prices. With reduced
    costs ``profit - worth + ε`` on unheld pairs and ``worth - profit`` on held ones (all
    non-negative under ε-complementary slackness), one Dijkstra from every community
    with an open slot gives shortest paths to the free units; the potentials move by the
    distances (capped at the farthest unit reached), so every path taken stays tight and
    every reduced cost non-negative. Paths that share no node are taken together.
    """

    def __init__(self, market, price: np.ndarray):
        self.unit, self.community = market.flat_unit, market.flat_community
        self.value = market.flat_value
        self.n_communities = market.n_groups  # the stand-in community included
        self.size = market.n_groups + price.size
        worth = self.value - price[self.unit]
        held = market.holder[self.unit] == self.community
        best_other = np.full(self.n_communities, -np.inf)
        if market.starts.size:
            best_other[market.nonempty] = np.maximum.reduceat(
                np.where(held, -np.inf, worth), market.starts
            )
        # Held units are all worth the community's level; an open community's profit
        # may not exceed what its best other unit is worth.
        self.profit = np.minimum(market.level, best_other)
        self.profit[~np.isfinite(self.profit)] = 0.0
        self.nonempty, self.starts = market.nonempty, market.starts

    def residual_graph(self, held, reduced, holder):
        """Return the residual graph in CSR form, built from its parts (no sorting).

        Nodes are the communities, then the units. A community's arcs go to the units
        it does not hold (the pairs come grouped by community); a held unit's one arc
        goes back to its holder. SciPy keeps explicit zero weights as edges.
        """
        from scipy.sparse import csr_matrix

        m = self.n_communities
        unheld = ~held
        out_degree = np.zeros(self.size, dtype=np.int64)
        if self.starts.size:
            out_degree[self.nonempty] = np.add.reduceat(unheld.astype(np.int64), self.starts)
        out_degree[m:] = holder >= 0
        pointer = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(out_degree, out=pointer[1:])
        # Held pairs sorted by unit, to match the units' rows.
        back = np.flatnonzero(held)
        back = back[np.argsort(self.unit[back])]
        heads = np.concatenate([m + self.unit[unheld], self.community[back]])
        weights = np.concatenate([reduced[unheld], reduced[back]])
        return csr_matrix((weights, heads, pointer), shape=(self.size, self.size))

    def augment(self, price, holder, open_slots, epsilon) -> bool:
        from scipy.sparse.csgraph import dijkstra

        unit, community, m = self.unit, self.community, self.n_communities
        worth = self.value - price[unit]
        held = holder[unit] == community
        profit = self.profit
        reduced = np.where(held, worth - profit[community], profit[community] - worth + epsilon)
        np.maximum(reduced, 0.0, out=reduced)
        graph = self.residual_graph(held, reduced, holder)
        sources = np.flatnonzero(open_slots > 0)
        distance, predecessor, _ = dijkstra(
            graph, indices=sources, min_only=True, return_predecessors=True
        )
        free = m + np.flatnonzero(holder < 0)
        free = free[np.isfinite(distance[free])]
        if not free.size:
            return False
        free = free[np.argsort(distance[free], kind="stable")]
        # When every free unit must be paired (as many as the open slots), one that a
        # path cannot take now keeps its raised price harmlessly; otherwise stop there,
        # so that no unit left unpaired is priced above zero.
        skip = free.size <= open_slots.sum()
        used = np.zeros(self.size, dtype=bool)
        left = open_slots.copy()
        paths, reach = [], 0.0
        for target in free.tolist():
            path = [target]
            while predecessor[path[-1]] >= 0:
                path.append(int(predecessor[path[-1]]))
            root = path[-1]
            if used[path[:-1]].any() or left[root] == 0:
                if skip:
                    continue
                break
            used[path[:-1]] = True
            left[root] -= 1
            paths.append(path)
            reach = float(distance[target])
            if not left.any():
                break
        step = np.minimum(distance, reach)
        profit += step[:m] - reach
        price += reach - step[m:]
        for path in paths:
            # path: free unit, community, unit, ..., community with an open slot
            for position in range(0, len(path) - 1, 2):
                holder[path[position] - m] = path[position + 1]
            open_slots[path[-1]] -= 1
        return True
