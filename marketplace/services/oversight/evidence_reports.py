"""Which confirmed pair activities carry evidence (a photo or a scan), per pair and unit.

One function per figure, read by the compliance matrix, one pair's page and the
assessment, so each shows the same numbers.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import PairActivity
from marketplace.services.attachments.attachments import evidence_counts


@dataclass(frozen=True)
class Evidence:
    confirmed: int = 0
    with_evidence: int = 0

    @property
    def label(self) -> str:
        return f"{self.with_evidence}/{self.confirmed}" if self.confirmed else "—"

    @property
    def complete(self) -> bool:
        return self.with_evidence == self.confirmed


def _confirmed(year: int, *conditions) -> list[tuple[int, int, int]]:
    return list(
        db.session.execute(
            select(PairActivity.id, PairActivity.unit_id, PairActivity.community_id).where(
                PairActivity.status == "confirmed",
                PairActivity.held_on.between(date(year, 1, 1), date(year, 12, 31)),
                *conditions,
            )
        ).all()
    )


def _tally(rows, key) -> dict:
    counts = evidence_counts("pair_activity", [row[0] for row in rows])
    tally: dict = {}
    for row in rows:
        before = tally.get(key(row), Evidence())
        tally[key(row)] = Evidence(
            before.confirmed + 1, before.with_evidence + (1 if counts.get(row[0]) else 0)
        )
    return tally


def evidence_by_pair(community_ids, year: int) -> dict[tuple[int, int], Evidence]:
    """Return per (unit, community) how many confirmed activities of ``year`` carry evidence."""
    rows = _confirmed(year, PairActivity.community_id.in_(list(community_ids)))
    return _tally(rows, lambda row: (row[1], row[2]))


def evidence_by_unit(year: int) -> dict[int, Evidence]:
    """Return per unit how many of its confirmed activities of ``year`` carry evidence."""
    return _tally(_confirmed(year), lambda row: row[1])
