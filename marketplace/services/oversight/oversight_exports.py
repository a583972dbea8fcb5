"""Excel exports of oversight: compliance matrix, meeting matrix, annual assessment."""

from marketplace.models import User
from marketplace.services.access import require_role
from marketplace.services.ledgers.workbooks import new_workbook, to_bytes, write_table
from marketplace.services.oversight import assessment, compliance, meeting_reports
from marketplace.services.oversight.oversight_calendar import MONTHS, QUARTERS
from marketplace.services.oversight.oversight_scope import overseen_community_ids


def compliance_workbook(actor: User, year: int) -> bytes:
    """Return the pairs × quarters compliance of the actor's communities as .xlsx."""
    rows = compliance.compliance(overseen_community_ids(actor), year)
    labels = compliance.COMPLIANCE_STATUSES
    workbook, used = new_workbook()
    sheet = workbook.create_sheet(f"{year}年对接活动")
    used.add(sheet.title)
    header = ["乡镇（街道）", "社区", "单位", *[f"第{q}季度" for q in QUARTERS], "达标季度数"]
    table = []
    for row in rows:
        community = row.pair.community
        table.append(
            [
                community.township.name,
                community.name,
                row.pair.unit.name,
                *[f"{labels[row.cells[q]]}（{row.counts[q]}）" for q in QUARTERS],
                row.compliant_quarters,
            ]
        )
    write_table(sheet, header, table)
    return to_bytes(workbook)


def meetings_workbook(actor: User, year: int) -> bytes:
    """Return which townships and communities held their monthly meeting, as .xlsx."""
    rows = meeting_reports.meeting_matrix(actor, year)
    labels = meeting_reports.MEETING_CELL_STATUSES
    workbook, _ = new_workbook()
    sheet = workbook.create_sheet(f"{year}年联席会议")
    header = ["层级", "名称", *[f"{m}月" for m in MONTHS], "召开月数"]
    table = [
        [
            "乡镇（街道）" if row.kind == "township" else "社区",
            row.name,
            *[labels[row.cells[m]] for m in MONTHS],
            sum(1 for m in MONTHS if row.cells[m] == "held"),
        ]
        for row in rows
    ]
    write_table(sheet, header, table, width=10)
    return to_bytes(workbook)


def assessment_workbook(actor: User, year: int) -> bytes:
    """Return the year's assessment (parts, weights, score, rank, 先进单位) as .xlsx."""
    require_role(actor, "reviewer")
    scores = assessment.assess(year)
    workbook, _ = new_workbook()
    sheet = workbook.create_sheet(f"{year}年度考核")
    parts = scores[0].parts if scores else []
    header = ["名次", "单位", "得分", "先进单位资格"]
    header += [f"{p.label}（权重 {p.weight:g}）" for p in parts]
    table = [
        [
            entry.rank,
            entry.unit.name,
            entry.score,
            "符合" if entry.eligible else "不符合",
            *[part.value for part in entry.parts],
        ]
        for entry in scores
    ]
    write_table(sheet, header, table)
    ratings = assessment.community_ratings(year)
    if ratings:
        names = assessment.rated_communities(year)
        second = workbook.create_sheet("单位评价社区")
        write_table(
            second,
            ["社区", "平均星级", "评价单位数"],
            [[names.get(cid, cid), avg, count] for cid, (avg, count) in sorted(ratings.items())],
        )
    return to_bytes(workbook)
