"""A replica's cursor over the change log: which rows it has applied, and gaps.

Log rows are numbered when they are written, but transactions commit in any order: on
PostgreSQL row 11 may be visible while row 10 is still being written (or was rolled
back and never will be). A cursor that jumped to 11 would miss 10 for ever. So the
stored ``position`` only moves over rows actually applied; rows applied beyond a gap
are remembered here, and a gap is given up (taken as a rollback) only when it has been
open for ``gap_timeout`` seconds. Re-applying a row is harmless (updates are by key),
so a restart that forgets this memory costs a little work, never a missed update.
"""

import time
from collections.abc import Callable, Iterable


class Cursor:
    """In-memory state of one replica's reading of the log (one per process)."""

    def __init__(self, gap_timeout: float, clock: Callable[[], float] = time.monotonic):
        self.gap_timeout = gap_timeout
        self.clock = clock
        self.applied: set[int] = set()  # applied ids above the stored position
        self.gaps: dict[int, float] = {}  # first missing id -> when it was first seen

    def pending(self, ids: Iterable[int]) -> list[int]:
        """Return the ids not applied yet, of those read after the position."""
        return [row_id for row_id in ids if row_id not in self.applied]

    def advance(self, position: int, applied: Iterable[int]) -> int:
        """Record ``applied`` ids and return the new position (over applied rows only)."""
        self.applied.update(row_id for row_id in applied if row_id > position)
        now = self.clock()
        for row_id in sorted(self.applied):
            if row_id != position + 1:  # a gap: rows position+1 .. row_id-1 are not seen
                opened = self.gaps.setdefault(position + 1, now)
                if now - opened < self.gap_timeout:
                    break
            position = row_id
        self.applied = {row_id for row_id in self.applied if row_id > position}
        self.gaps = {start: t for start, t in self.gaps.items() if start > position}
        return position

    def reset(self) -> None:
        """Forget everything (after a rebuild set a new position)."""
        self.applied.clear()
        self.gaps.clear()
