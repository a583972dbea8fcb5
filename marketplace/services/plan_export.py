"""Export a pairing plan to Excel (a summary sheet, one sheet per community) and CSV."""

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from marketplace.services.plan_reports import plan_detail
from marketplace.web.templating import local_time

PAIR_HEADER = [
    "社区",
    "单位",
    "单位类型",
    "联系人",
    "联系电话",
    "地址",
    "总分",
    "需求覆盖",
    "距离",
    "延续",
    "固定",
]
WEIGHT_LABELS = {"coverage": "需求覆盖", "proximity": "距离", "continuity": "延续"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    # A text starting like a formula would run in Excel (CSV/formula injection).
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _pair_row(community, pair) -> list:
    unit = pair.unit
    return [
        _cell(community.name),
        _cell(unit.name),
        unit.kind_label,
        _cell(unit.contact_name),
        _cell(unit.contact_phone),
        _cell(unit.address),
        round(pair.score, 4),
        round(pair.coverage, 4),
        round(pair.proximity, 4),
        round(pair.continuity, 4),
        "是" if pair.pinned else "",
    ]


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "社区"
    candidate, number = title, 2
    while candidate in used:
        candidate, number = f"{title}{number}", number + 1
    used.add(candidate)
    return candidate


def _write_table(sheet, header: list, rows: list[list]) -> None:
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, _ in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 16


def plan_workbook(plan_id: int) -> bytes:
    """Return the plan as an .xlsx file: a summary sheet and one sheet per community."""
    detail = plan_detail(plan_id, with_needs=True)
    plan = detail.plan
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    approver = detail.people.get(plan.approved_by_id)
    weights = {
        "coverage": detail.inputs.weights.coverage,
        "proximity": detail.inputs.weights.proximity,
        "continuity": detail.inputs.weights.continuity,
    }
    for label, value in [
        ("方案", plan.title),
        ("版本", plan.version),
        ("状态", plan.status_label),
        ("总分", round(plan.total_score, 4)),
        ("结对数", sum(len(block.pairs) for block in detail.blocks)),
        ("批准人", approver.name if approver else ""),
        ("批准时间", local_time(plan.approved_at)),
        ("发布时间", local_time(plan.published_at)),
        ("权重", "，".join(f"{WEIGHT_LABELS.get(k, k)} {v}" for k, v in weights.items())),
        ("固定结对", len(plan.pinned or [])),
        ("禁止结对", len(plan.forbidden or [])),
        ("调整次数", len(plan.adjustments)),
    ]:
        summary.append([label, _cell(value)])
    summary.append([])
    _write_table(
        summary,
        ["乡镇/街道", "社区", "结对单位数", "配额", "得分合计", "已覆盖需求", "未覆盖需求"],
        [
            [
                _cell(block.community.township.name),
                _cell(block.community.name),
                len(block.pairs),
                f"{block.quota[0]}–{block.quota[1]}",
                round(block.score, 4),
                len(block.covered),
                len(block.uncovered),
            ]
            for block in detail.blocks
        ],
    )
    used = {"汇总"}
    for block in detail.blocks:
        sheet = book.create_sheet(_sheet_title(block.community.name, used))
        _write_table(sheet, PAIR_HEADER, [_pair_row(block.community, p) for p in block.pairs])
        sheet.append([])
        sheet.append(["未覆盖的需求", *[_cell(need.title) for need in block.uncovered[:50]]])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def plan_csv(plan_id: int) -> str:
    """Return the plan's pairs as CSV text (UTF-8 with BOM so Excel reads Chinese)."""
    detail = plan_detail(plan_id, with_needs=False)
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output)
    writer.writerow(PAIR_HEADER)
    for block in detail.blocks:
        for pair in block.pairs:
            writer.writerow(_pair_row(block.community, pair))
    return output.getvalue()
