"""A reported member's yearly checklist: five items, each ticked only by evidence on record.

The year's bonus (``pay_bonus``) is paid once, by whichever evidence completes the list:
every place that adds evidence (a confirmed service, a check-in, a confirmed wish) calls it.

Each item has an evidence provider: ``provider(member_ids, year)`` returns
``{member_id: [Evidence, …]}`` in one query for many members (reviewers' rates cover a
whole county). An item is done when its list is not empty. Another domain fills an item
by registering its provider, e.g. the wishes module::

    checklist.register_provider("wish", fulfilled_wishes_evidence)
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Member, ServiceRecord, User
from marketplace.services.members import points

VOLUNTEER_DAY_HOURS = 4  # confirmed volunteering hours in a year that make "1 天"


@dataclass(frozen=True)
class Evidence:
    """One record that proves an item: what it is, when, and which kind of record."""

    label: str
    on: date | None
    kind: str
    record_id: int | None = None


@dataclass
class ItemResult:
    key: str
    label: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.evidence)


Provider = Callable[[list[int], int], dict[int, list[Evidence]]]


def _records(member_ids: list[int], year: int, kind: str, *, checkin_counts: bool):
    """Confirmed records of ``kind`` in ``year`` (or QR check-ins, when those count)."""
    counted = ServiceRecord.status == "confirmed"
    if checkin_counts:
        counted = counted | (
            ServiceRecord.activity_id.is_not(None) & (ServiceRecord.status != "returned")
        )
    rows = db.session.execute(
        select(
            ServiceRecord.member_id,
            ServiceRecord.id,
            ServiceRecord.served_on,
            ServiceRecord.summary,
            ServiceRecord.hours,
        )
        .where(
            ServiceRecord.member_id.in_(member_ids),
            ServiceRecord.kind == kind,
            ServiceRecord.served_on.between(date(year, 1, 1), date(year, 12, 31)),
            counted,
        )
        .order_by(ServiceRecord.served_on)
    ).all()
    found: dict[int, list[Evidence]] = defaultdict(list)
    hours: dict[int, float] = defaultdict(float)
    for member_id, record_id, served_on, summary, record_hours in rows:
        found[member_id].append(Evidence(summary[:40], served_on, kind, record_id))
        hours[member_id] += record_hours
    return found, hours


def _attendance(kind: str) -> Provider:
    def provider(member_ids: list[int], year: int) -> dict[int, list[Evidence]]:
        return _records(member_ids, year, kind, checkin_counts=True)[0]

    return provider


def _surveys(member_ids: list[int], year: int) -> dict[int, list[Evidence]]:
    return _records(member_ids, year, "survey", checkin_counts=False)[0]


def _volunteer_day(member_ids: list[int], year: int) -> dict[int, list[Evidence]]:
    found, hours = _records(member_ids, year, "service", checkin_counts=False)
    return {m: found[m] for m in found if hours[m] >= VOLUNTEER_DAY_HOURS}


def _no_evidence_yet(member_ids: list[int], year: int) -> dict[int, list[Evidence]]:
    return {}  # the wishes module registers the real provider


ITEMS: list[tuple[str, str]] = [
    ("org_life", "参加1次社区党组织生活"),
    ("symposium", "与社区干部进行1次座谈"),
    ("survey", "开展1次社区调研"),
    ("wish", "认领1个“微心愿”"),
    ("volunteer_day", "当1天社区志愿者"),
]
PROVIDERS: dict[str, Provider] = {
    "org_life": _attendance("org_life"),
    "symposium": _attendance("symposium"),
    "survey": _surveys,
    "wish": _no_evidence_yet,
    "volunteer_day": _volunteer_day,
}


def register_provider(key: str, provider: Provider) -> None:
    """Fill a checklist item's evidence from another domain."""
    if key not in PROVIDERS:
        raise KeyError(f"unknown checklist item {key!r}")
    PROVIDERS[key] = provider


def evaluate(member_ids: Iterable[int], year: int) -> dict[int, list[ItemResult]]:
    """Return every member's five items with their evidence for ``year``."""
    ids = sorted(set(member_ids))
    results = {m: [ItemResult(key, label) for key, label in ITEMS] for m in ids}
    if not ids:
        return results
    for position, (key, _label) in enumerate(ITEMS):
        for member_id, evidence in PROVIDERS[key](ids, year).items():
            if member_id in results:
                results[member_id][position].evidence = list(evidence)
    return results


def for_member(member_id: int, year: int) -> list[ItemResult]:
    """Return one member's checklist for ``year``."""
    return evaluate([member_id], year)[member_id]


def complete(member_id: int, year: int) -> bool:
    """Tell whether all five items of ``year`` are done for a member."""
    return all(item.done for item in for_member(member_id, year))


def pay_bonus(member: Member, year: int, actor: User | None) -> None:
    """Award the year's checklist points once the five items are done (no commit).

    The award is once per member and year (a unique entry), so a later evidence of a
    complete year pays nothing more.
    """
    if complete(member.id, year):
        points.award(member, "checklist", year, reason=f"{year} 年度清单全部完成", actor=actor)


def done_counts(member_ids: Iterable[int], year: int) -> dict[int, int]:
    """Return how many items each member has done in ``year``."""
    return {m: sum(item.done for item in items) for m, items in evaluate(member_ids, year).items()}


def hours_by_member(member_ids: list[int], year: int) -> dict[int, float]:
    """Return confirmed service hours per member in ``year``."""
    rows = db.session.execute(
        select(ServiceRecord.member_id, func.sum(ServiceRecord.hours))
        .where(
            ServiceRecord.member_id.in_(member_ids),
            ServiceRecord.status == "confirmed",
            ServiceRecord.served_on.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .group_by(ServiceRecord.member_id)
    ).all()
    return {member_id: float(total or 0) for member_id, total in rows}
