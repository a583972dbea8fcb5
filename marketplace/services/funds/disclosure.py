"""三必须公开: what a community publishes of its funds, by project and month.

Income (budget lines by source, units' contributions) and the spending that counts,
grouped by month and project. No person appears: entries are shown by source, unit
and project, never by who entered them, and notes (which may name residents) are left
out; spending below the approval threshold is summed into one line per month.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.errors import NotFound
from marketplace.extensions import db
from marketplace.models import Community, FundEntry
from marketplace.services.access import valid_id
from marketplace.services.funds import fund_totals
from marketplace.services.funds.fund_entries import approval_threshold_fen
from marketplace.services.funds.fund_totals import year_bounds

SMALL_SPENDING = "日常小额支出"
# A project name is typed by staff; a run of digits there could be a phone number.
_DIGIT_RUN = re.compile(r"\d{7,}")


@dataclass
class DisclosureLine:
    month: int
    kind: str  # income | spending
    label: str  # the source, unit or project
    amount_fen: int


@dataclass
class Disclosure:
    community: Community
    year: int
    totals: fund_totals.Totals
    lines: list[DisclosureLine]

    def months(self) -> list[tuple[int, list[DisclosureLine]]]:
        grouped: dict[int, list[DisclosureLine]] = defaultdict(list)
        for line in self.lines:
            grouped[line.month].append(line)
        return sorted(grouped.items())


def _label(entry: FundEntry, major: bool) -> tuple[str, str]:
    if entry.kind == "budget":
        return "income", f"工作经费（{entry.source_label}）" + (
            f"：{entry.project}" if entry.project else ""
        )
    if entry.kind == "contribution":
        given = "物资" if entry.materials else "资金"
        project = f"，用于{entry.project}" if entry.project else ""
        return "income", f"{entry.unit.name}帮扶{given}{project}"
    if not major:
        return "spending", SMALL_SPENDING
    return "spending", entry.project or "其他支出"


def disclosure(community_id, year: int) -> Disclosure:
    """Return a community's public income and spending for ``year``, by month and project."""
    community = db.session.get(Community, community_id) if valid_id(community_id) else None
    if community is None:
        raise NotFound("没有这个社区。")
    start, end = year_bounds(year)
    entries = db.session.scalars(
        select(FundEntry)
        .where(
            FundEntry.community_id == community.id,
            FundEntry.status == "counted",
            FundEntry.kind.in_(("budget", "contribution", "spending")),
            FundEntry.entry_date >= start,
            FundEntry.entry_date < end,
        )
        .options(selectinload(FundEntry.unit), selectinload(FundEntry.reverses))
        .order_by(FundEntry.entry_date, FundEntry.id)
    )
    threshold = approval_threshold_fen()
    sums: dict[tuple[int, str, str], int] = defaultdict(int)
    for entry in entries:
        original = entry.reverses or entry
        kind, label = _label(entry, original.amount_fen > threshold)
        sums[(entry.entry_date.month, kind, _DIGIT_RUN.sub("***", label))] += entry.amount_fen
    lines = [
        DisclosureLine(month, kind, label, amount)
        for (month, kind, label), amount in sums.items()
        if amount != 0
    ]
    lines.sort(key=lambda line: (line.month, line.kind != "income", line.label))
    totals = fund_totals.total_of(year, {community.id})
    return Disclosure(community, year, totals, lines)
