"""Export a pairing plan to Excel (a summary sheet, one sheet per community) and CSV."""

import csv
import io

from marketplace.clock import local_time
from marketplace.services.ledgers.workbooks import (
    new_workbook,
    safe_cell,
    sheet_title,
    to_bytes,
    write_table,
)
from marketplace.services.pairing.plan_reports import plan_detail

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
    "社区意愿",
    "固定",
]
WEIGHT_LABELS = {
    "coverage": "需求覆盖",
    "proximity": "距离",
    "continuity": "延续",
    "preference": "社区意愿",
}


def _pair_row(community, pair) -> list:
    unit = pair.unit
    return [
        safe_cell(community.name),
        safe_cell(unit.name),
        unit.kind_label,
        safe_cell(unit.contact_name),
        safe_cell(unit.contact_phone),
        safe_cell(unit.address),
        round(pair.score, 4),
        round(pair.coverage, 4),
        round(pair.proximity, 4),
        round(pair.continuity, 4),
        round(pair.preference, 4),
        "是" if pair.pinned else "",
    ]


def plan_workbook(plan_id: int) -> bytes:
    """Return the plan as an .xlsx file: a summary sheet and one sheet per community."""
    detail = plan_detail(plan_id, with_needs=True)
    plan = detail.plan
    book, used = new_workbook()
    summary = book.create_sheet(sheet_title("汇总", used))
    approver = detail.people.get(plan.approved_by_id)
    weights = {
        "coverage": detail.inputs.weights.coverage,
        "proximity": detail.inputs.weights.proximity,
        "continuity": detail.inputs.weights.continuity,
        "preference": detail.inputs.weights.preference,
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
        summary.append([label, safe_cell(value)])
    summary.append([])
    write_table(
        summary,
        ["乡镇/街道", "社区", "结对单位数", "配额", "得分合计", "已覆盖需求", "未覆盖需求"],
        [
            [
                safe_cell(block.community.township.name),
                safe_cell(block.community.name),
                len(block.pairs),
                f"{block.quota[0]}–{block.quota[1]}",
                round(block.score, 4),
                len(block.covered),
                len(block.uncovered),
            ]
            for block in detail.blocks
        ],
    )
    for block in detail.blocks:
        sheet = book.create_sheet(sheet_title(block.community.name, used))
        write_table(sheet, PAIR_HEADER, [_pair_row(block.community, p) for p in block.pairs])
        sheet.append([])
        sheet.append(["未覆盖的需求", *[safe_cell(need.title) for need in block.uncovered[:50]]])
    return to_bytes(book)


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
