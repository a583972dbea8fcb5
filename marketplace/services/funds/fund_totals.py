"""Totals of the funds ledger: every figure is a sum of counted entries, never stored.

``sums`` is the one query every page, export, API answer and assessment part reads, so
a figure cannot differ between two places. Reversals are counted entries with negative
amounts, so a corrected entry and its reversal cancel out. Pending and refused spending
count nowhere. ``check_funds`` recomputes every figure entry by entry and lists any
difference, for the ``flask check`` command.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.models import Community, FundEntry, Township, Unit
from marketplace.models.funds import BUDGET_SOURCES
from marketplace.services.oversight.oversight_scope import published_pairs


@dataclass
class Totals:
    """Sums in fen for one scope and year; balance is budget + money given − spent."""

    pledged: int = 0
    contributed: int = 0  # money and the value of materials
    contributed_money: int = 0
    budget: int = 0
    spent: int = 0
    by_source: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUDGET_SOURCES, 0))

    @property
    def balance(self) -> int:
        return self.budget + self.contributed_money - self.spent

    @property
    def pledge_rate(self) -> float | None:
        """Contributed over pledged, in % (None without a pledge)."""
        return round(100 * self.contributed / self.pledged, 1) if self.pledged else None

    def add(self, kind: str, source: str | None, in_materials: bool, amount: int) -> None:
        if kind == "pledge":
            self.pledged += amount
        elif kind == "contribution":
            self.contributed += amount
            if not in_materials:
                self.contributed_money += amount
        elif kind == "budget":
            self.budget += amount
            self.by_source[source] = self.by_source.get(source, 0) + amount
        elif kind == "spending":
            self.spent += amount


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def sums(year: int | None, *, by: str) -> dict[int, Totals]:
    """Return the year's totals (all years when None) per community or per unit id."""
    key = FundEntry.community_id if by == "community" else FundEntry.unit_id
    query = select(
        key,
        FundEntry.kind,
        FundEntry.source,
        FundEntry.materials,
        func.sum(FundEntry.amount_fen),
    ).where(FundEntry.status == "counted")
    if by == "unit":
        query = query.where(FundEntry.unit_id.is_not(None))
    if year is not None:
        start, end = year_bounds(year)
        query = query.where(FundEntry.entry_date >= start, FundEntry.entry_date < end)
    query = query.group_by(key, FundEntry.kind, FundEntry.source, FundEntry.materials)
    totals: dict[int, Totals] = defaultdict(Totals)
    for owner, kind, source, materials, amount in db.session.execute(query):
        totals[owner].add(kind, source, bool(materials), int(amount or 0))
    return dict(totals)


def total_of(year: int | None, community_ids=None, unit_id: int | None = None) -> Totals:
    """Return one sum over some communities (or all), or over one unit."""
    if unit_id is not None:
        return sums(year, by="unit").get(unit_id, Totals())
    result = Totals()
    for community_id, totals in sums(year, by="community").items():
        if community_ids is None or community_id in community_ids:
            _merge(result, totals)
    return result


def _merge(into: Totals, other: Totals) -> None:
    into.pledged += other.pledged
    into.contributed += other.contributed
    into.contributed_money += other.contributed_money
    into.budget += other.budget
    into.spent += other.spent
    for source, amount in other.by_source.items():
        into.by_source[source] = into.by_source.get(source, 0) + amount


@dataclass
class PairRow:
    """A unit's pledge and contributions to one community in a year."""

    unit: Unit
    community: Community
    pledged: int
    contributed: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.contributed / self.pledged, 1) if self.pledged else None


def pair_rows(year: int, community_ids=None, unit_id: int | None = None) -> list[PairRow]:
    """Return pledged against contributed per unit and community: every published pair,
    and any other pair with entries (a claim's project in an unpaired community)."""
    start, end = year_bounds(year)
    query = (
        select(
            FundEntry.unit_id,
            FundEntry.community_id,
            FundEntry.kind,
            func.sum(FundEntry.amount_fen),
        )
        .where(
            FundEntry.status == "counted",
            FundEntry.unit_id.is_not(None),
            FundEntry.entry_date >= start,
            FundEntry.entry_date < end,
        )
        .group_by(FundEntry.unit_id, FundEntry.community_id, FundEntry.kind)
    )
    amounts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for unit, community, kind, amount in db.session.execute(query):
        amounts[(unit, community)][kind] = int(amount or 0)
    keys = {(pair.unit_id, pair.community_id) for pair in published_pairs()} | set(amounts)
    keys = {
        (unit, community)
        for unit, community in keys
        if (community_ids is None or community in community_ids)
        and (unit_id is None or unit == unit_id)
    }
    units = _by_id(Unit, {unit for unit, _ in keys})
    communities = _by_id(Community, {community for _, community in keys})
    rows = [
        PairRow(
            units[unit],
            communities[community],
            amounts[(unit, community)].get("pledge", 0),
            amounts[(unit, community)].get("contribution", 0),
        )
        for unit, community in keys
    ]
    return sorted(rows, key=lambda row: (row.community.id, row.unit.name))


def _by_id(model, ids) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


@dataclass
class PlaceRow:
    name: str
    id: int
    totals: Totals


def community_rows(year: int, community_ids=None) -> list[PlaceRow]:
    """Return each community's totals for the year (communities without entries too)."""
    per_community = sums(year, by="community")
    query = select(Community).order_by(Community.township_id, Community.id)
    if community_ids is not None:
        query = query.where(Community.id.in_(list(community_ids)))
    return [
        PlaceRow(community.name, community.id, per_community.get(community.id, Totals()))
        for community in db.session.scalars(query)
    ]


def township_rows(year: int, community_ids=None) -> list[PlaceRow]:
    """Return each township's totals: the sum of its communities' totals."""
    per_community = sums(year, by="community")
    query = select(Township).options(selectinload(Township.communities)).order_by(Township.id)
    rows = []
    for township in db.session.scalars(query):
        totals = Totals()
        for community in township.communities:
            if community_ids is None or community.id in community_ids:
                _merge(totals, per_community.get(community.id, Totals()))
        if community_ids is None or any(c.id in community_ids for c in township.communities):
            rows.append(PlaceRow(township.name, township.id, totals))
    return rows


def check_funds() -> list[str]:
    """Return every difference between the reported totals and the sums of entries.

    Recomputes each community's and unit's totals for every year entry by entry and
    compares them with ``sums``; also checks that each reversal cancels exactly one
    counted entry of the same kind and owner. An empty list means the ledger holds.
    """
    problems: list[str] = []
    entries = list(db.session.scalars(select(FundEntry).order_by(FundEntry.id)))
    by_id = {entry.id: entry for entry in entries}
    expected: dict[tuple[str, int | None, int], Totals] = defaultdict(Totals)
    for entry in entries:
        if entry.status != "counted":
            continue
        year = entry.entry_date.year
        for scope, owner in (("community", entry.community_id), ("unit", entry.unit_id)):
            if owner is not None:
                expected[(scope, owner, year)].add(
                    entry.kind, entry.source, bool(entry.materials), entry.amount_fen
                )
        original = by_id.get(entry.reverses_id) if entry.reverses_id else None
        if entry.reverses_id is not None and (
            original is None
            or original.status != "counted"
            or original.reverses_id is not None
            or original.amount_fen != -entry.amount_fen
            or (original.kind, original.community_id, original.unit_id, original.source)
            != (entry.kind, entry.community_id, entry.unit_id, entry.source)
        ):
            problems.append(f"经费记录 #{entry.id} 的更正与第 {entry.reverses_id} 号原记录不对应。")
    years = {year for _, _, year in expected}
    reported: dict[tuple[str, int | None, int], Totals] = {}
    for year in years:
        for scope in ("community", "unit"):
            for owner, totals in sums(year, by=scope).items():
                reported[(scope, owner, year)] = totals
    names = {"community": "社区", "unit": "单位"}
    for key in sorted(set(expected) | set(reported), key=lambda k: (k[0], k[1] or 0, k[2])):
        want, got = expected.get(key, Totals()), reported.get(key, Totals())
        for figure in ("pledged", "contributed", "contributed_money", "budget", "spent", "balance"):
            if getattr(want, figure) != getattr(got, figure):
                scope, owner, year = key
                problems.append(
                    f"{names[scope]} #{owner} {year} 年 {figure}：合计 {getattr(got, figure)} 分，"
                    f"逐条相加 {getattr(want, figure)} 分。"
                )
    return problems


def yuan(fen: int) -> str:
    """Return fen as yuan with two decimals and thousands separators (12,000.00)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def yuan_plain(fen: int) -> str:
    """Return fen as a plain decimal yuan string (12000.00), for the API."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def wan(fen: int) -> str:
    """Return fen as 万元 with two decimals (1,000,000 fen → 1.00), rounded half up."""
    amount = (Decimal(fen) / 1_000_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{amount:,}"
