"""The pairs of the published plan, and each pair's life across the plans published so far.

A plan is in force from the county day it was published through the day the next plan
of its county was published (both days count, so an activity held on the day of a
change is never lost). A pair's life is the union of the days it was in force, over
every plan that held it; a pair kept from one plan to the next lives on unbroken.
Publishing appends to this history and never rewrites it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import PairingPlan, PlanPair

PairKey = tuple[int, int]  # (unit id, community id)
EVER_PUBLISHED = ("published", "superseded")


def published_pairs(
    community_ids: Iterable[int] | None = None,
    *,
    county_id: int | None = None,
    unit_id: int | None = None,
    with_places: bool = True,
) -> list[PlanPair]:
    """Return the pairs of the published plan, of some communities, a county or a unit."""
    query = (
        select(PlanPair)
        .join(PairingPlan, PairingPlan.id == PlanPair.plan_id)
        .where(PairingPlan.status == "published")
        .order_by(PlanPair.community_id, PlanPair.unit_id)
    )
    if with_places:
        query = query.options(selectinload(PlanPair.unit), selectinload(PlanPair.community))
    if community_ids is not None:
        query = query.where(PlanPair.community_id.in_(list(community_ids)))
    if county_id is not None:
        query = query.where(PairingPlan.county_id == county_id)
    if unit_id is not None:
        query = query.where(PlanPair.unit_id == unit_id)
    return list(db.session.scalars(query))


def published_keys(county_id: int) -> set[PairKey]:
    """Return the (unit id, community id) pairs of the county's published plan."""
    return {
        (pair.unit_id, pair.community_id)
        for pair in published_pairs(county_id=county_id, with_places=False)
    }


@dataclass
class PairLife:
    """The days one pair was in force: inclusive (first, last) spans; last None = still."""

    unit_id: int
    community_id: int
    spans: list[tuple[date, date | None]] = field(default_factory=list)
    pair: PlanPair | None = None  # the row of the newest plan that held it

    def in_force_on(self, day: date) -> bool:
        return any(first <= day and (last is None or day <= last) for first, last in self.spans)

    def days_within(self, first: date, last: date) -> int:
        """Count the days from ``first`` to ``last`` (inclusive) the pair is in force.

        A span still open counts through ``last``: a pair in force today is expected to
        stay so for the rest of the period.
        """
        total = 0
        for start, end in self.spans:
            low, high = max(start, first), min(end or last, last)
            total += max(0, (high - low).days + 1)
        return total

    def _add(self, first: date, last: date | None) -> None:
        if self.spans:
            start, end = self.spans[-1]
            if end is None or first <= end + timedelta(days=1):  # kept on: one span
                later = None if end is None or last is None else max(end, last)
                self.spans[-1] = (start, later)
                return
        self.spans.append((first, last))


def plan_spans() -> dict[int, tuple[date, date | None]]:
    """Return each published or superseded plan's days in force, by plan id."""
    rows = db.session.execute(
        select(PairingPlan.id, PairingPlan.county_id, PairingPlan.published_at)
        .where(PairingPlan.status.in_(EVER_PUBLISHED), PairingPlan.published_at.is_not(None))
        .order_by(PairingPlan.county_id, PairingPlan.published_at, PairingPlan.id)
    ).all()
    spans: dict[int, tuple[date, date | None]] = {}
    for index, (plan_id, county_id, published_at) in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        last = None
        if following is not None and following.county_id == county_id:
            last = clock.local(following.published_at).date()
        spans[plan_id] = (clock.local(published_at).date(), last)
    return spans


def pair_lives(
    community_ids: Iterable[int] | None = None, *, unit_id: int | None = None
) -> dict[PairKey, PairLife]:
    """Return the life of every pair ever published (of some communities, or of a unit)."""
    spans = plan_spans()
    if not spans:
        return {}
    query = (
        select(PlanPair)
        .where(PlanPair.plan_id.in_(list(spans)))
        .options(selectinload(PlanPair.unit), selectinload(PlanPair.community))
    )
    if community_ids is not None:
        query = query.where(PlanPair.community_id.in_(list(community_ids)))
    if unit_id is not None:
        query = query.where(PlanPair.unit_id == unit_id)
    rows = sorted(db.session.scalars(query), key=lambda pair: (spans[pair.plan_id][0], pair.id))
    lives: dict[PairKey, PairLife] = {}
    for pair in rows:
        key = (pair.unit_id, pair.community_id)
        life = lives.setdefault(key, PairLife(*key))
        life._add(*spans[pair.plan_id])
        life.pair = pair
    return dict(sorted(lives.items(), key=lambda item: (item[0][1], item[0][0])))


def in_force_on(unit_id: int, community_id: int, day: date) -> bool:
    """Tell whether the unit and the community were paired (in force) on ``day``."""
    life = pair_lives([community_id], unit_id=unit_id).get((unit_id, community_id))
    return life is not None and life.in_force_on(day)
