"""Excel export of the funds ledger: pairs, communities, townships and the entries."""

from decimal import Decimal

from marketplace.models import User
from marketplace.services.funds import fund_queries
from marketplace.services.funds.fund_queries import EntryFilters
from marketplace.services.funds.fund_totals import yuan_plain
from marketplace.services.ledgers.workbooks import new_workbook, to_bytes, write_table
from marketplace.services.pagination import MAX_PER_PAGE


def _yuan(fen: int) -> Decimal:
    return Decimal(yuan_plain(fen))  # a number in Excel, never passed through a float


def funds_workbook(actor: User, year: int) -> bytes:
    """Return the year's funds as .xlsx: what the actor's overview shows, and its entries."""
    view = fund_queries.overview(actor, year)
    workbook, _ = new_workbook()
    pairs = workbook.create_sheet(f"{year}年单位帮扶")
    write_table(
        pairs,
        ["社区", "单位", "承诺（元）", "到位（元）", "到位率（%）"],
        [
            [
                row.community.name,
                row.unit.name,
                _yuan(row.pledged),
                _yuan(row.contributed),
                row.rate if row.rate is not None else "",
            ]
            for row in view.pairs
        ],
    )
    for title, rows in (("社区经费", view.communities), ("乡镇经费", view.townships)):
        if not rows:
            continue
        sheet = workbook.create_sheet(f"{year}年{title}")
        write_table(
            sheet,
            ["名称", "工作经费（元）", "帮扶到位（元）", "支出（元）", "结余（元）"],
            [
                [
                    row.name,
                    _yuan(row.totals.budget),
                    _yuan(row.totals.contributed),
                    _yuan(row.totals.spent),
                    _yuan(row.totals.balance),
                ]
                for row in rows
            ],
        )
    sheet = workbook.create_sheet(f"{year}年明细")
    header = ["编号", "日期", "类别", "社区", "单位", "来源", "项目", "物资", "金额（元）",
              "状态", "更正", "事由", "登记人"]  # fmt: skip
    table, page = [], 1
    while True:
        result = fund_queries.entries_page(actor, EntryFilters(year=year), page, MAX_PER_PAGE)
        for entry in result.items:
            table.append(
                [
                    entry.id,
                    entry.entry_date.isoformat(),
                    entry.kind_label,
                    entry.community.name,
                    entry.unit.name if entry.unit else "",
                    entry.source_label,
                    entry.project,
                    entry.materials,
                    _yuan(entry.amount_fen),
                    entry.status_label,
                    f"更正 #{entry.reverses_id}" if entry.reverses_id else "",
                    entry.note,
                    entry.created_by.name if entry.created_by else "",
                ]
            )
        if not result.has_next:
            break
        page += 1
    write_table(sheet, header, table)
    return to_bytes(workbook)
