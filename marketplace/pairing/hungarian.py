"""A minimum-cost assignment in NumPy alone, for the tiny instances of the command line.

SciPy's ``linear_sum_assignment`` is much faster on anything but a tiny matrix, yet
importing ``scipy.optimize`` costs far more than the whole solve of a handful of units:
up to ``TINY_CELLS`` cells, and while that import has not been paid for yet (the command
line, a worker's first plan), the solver uses this and loads no SciPy at all.
"""

from __future__ import annotations

import sys

import numpy as np

# Up to this many cells (rows × columns) an assignment is solved here, not by SciPy:
# at most one augmenting step per cell, each a few vector operations on one row.
TINY_CELLS = 2_500


def preferred(cells: int) -> bool:
    """Whether an assignment of ``cells`` cells is better solved here than by SciPy."""
    return cells <= TINY_CELLS and "scipy.optimize" not in sys.modules


def assign(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows, columns) of a minimum-cost assignment covering every column.

    Parameters
    ----------
    cost : numpy.ndarray
        A rows × columns matrix with at least as many rows as columns; ``inf`` marks a
        cell that may not be used. A complete finite assignment must exist.

    Returns
    -------
    tuple of numpy.ndarray
        The chosen rows (sorted) and the column each of them takes.

    Notes
    -----
    The shortest augmenting path method with potentials (Kuhn–Munkres as Jonker and
    Volgenant state it): each column in turn is matched along a shortest path in
    reduced costs, which stay non-negative, so the result is optimal.
    """
    n_rows, n_columns = cost.shape
    if n_columns > n_rows:
        raise ValueError("the assignment needs at least as many rows as columns")
    # Column k (1-based) is matched along paths over rows; index 0 is the root.
    row_potential = np.zeros(n_rows + 1)
    column_potential = np.zeros(n_columns + 1)
    column_of_row = np.zeros(n_rows + 1, dtype=np.int64)  # 0: the row is free
    padded = np.full((n_columns + 1, n_rows + 1), np.inf)
    padded[1:, 1:] = cost.T
    for column in range(1, n_columns + 1):
        column_of_row[0] = column
        distance = np.full(n_rows + 1, np.inf)
        previous = np.zeros(n_rows + 1, dtype=np.int64)
        done = np.zeros(n_rows + 1, dtype=bool)
        row = 0
        while True:
            done[row] = True
            current = column_of_row[row]
            reduced = padded[current] - column_potential[current] - row_potential
            closer = ~done & (reduced < distance)
            distance[closer] = reduced[closer]
            previous[closer] = row
            open_distance = np.where(done, np.inf, distance)
            nearest = int(np.argmin(open_distance))
            delta = open_distance[nearest]
            if not np.isfinite(delta):
                raise RuntimeError("no complete assignment exists for a feasible problem")
            column_potential[column_of_row[done]] += delta
            row_potential[done] -= delta
            distance[~done] -= delta
            row = nearest
            if column_of_row[row] == 0:
                break
        while row:
            back = previous[row]
            column_of_row[row] = column_of_row[back]
            row = back
    rows = np.flatnonzero(column_of_row[1:])
    return rows, column_of_row[rows + 1] - 1
