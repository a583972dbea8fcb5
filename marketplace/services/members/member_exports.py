"""Excel export of the members' rates: the same rows, numerators and denominators as the page."""

from marketplace.models import User
from marketplace.services.access import require_role
from marketplace.services.ledgers.workbooks import new_workbook, to_bytes, write_table
from marketplace.services.members import member_stats
from marketplace.services.members.member_stats import Rate, RateRow


def _rate_cell(rate: Rate) -> str:
    return f"{rate.percent:g}%（{rate.part}/{rate.whole}）"


def _table(rows: list[RateRow], total: RateRow) -> list[list]:
    return [
        [
            row.name,
            row.expected,
            row.reported,
            _rate_cell(row.report_rate),
            row.with_post,
            _rate_cell(row.post_rate),
            row.complete,
            _rate_cell(row.completion_rate),
            _rate_cell(row.items_rate),
            row.hours,
        ]
        for row in [*rows, total]
    ]


def rates_workbook(actor: User, year: int) -> bytes:
    """Return the reviewers' rates per community and per unit as .xlsx."""
    require_role(actor, "reviewer")
    workbook, used = new_workbook()
    for title, first, base, (rows, total) in (
        (f"{year}年各社区", "社区", "应报到", member_stats.community_sheet(year)),
        (f"{year}年各单位", "单位", "已登记", member_stats.unit_sheet(year)),
    ):
        sheet = workbook.create_sheet(title)
        used.add(title)
        header = [
            first,
            base,
            "已报到",
            "报到率",
            "已选岗",
            "选岗率",
            "清单全部完成",
            "清单完成率",
            "完成项占比",
            "服务时长（小时）",
        ]
        write_table(sheet, header, _table(rows, total))
    return to_bytes(workbook)
