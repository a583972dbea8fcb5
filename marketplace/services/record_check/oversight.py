"""Record checks of oversight: compliance cells against activities, the assessment's sums.

Compliance is never stored, so its check recounts each cell of the matrix (the function
the page, the export and the API call) from the pair's activities, and compares the
assessment's compliant quarters with the matrix's. The assessment is not stored either:
each unit's score is compared with Σ value × weight of its parts, each part's value
taken from the part itself.
"""

from datetime import date

from sqlalchemy import extract, select

from marketplace.extensions import db
from marketplace.models import PairActivity
from marketplace.services.record_check import register_check

SCORE_TOLERANCE = 0.01  # scores are shown to two places
DUE_STATUSES = ("confirmed", "logged", "missing", "running")  # cells judged by activities


def checked_years() -> list[int]:
    """The years with pair activities, and the current one."""
    from marketplace.services.oversight.oversight_calendar import county_today

    years = set(db.session.scalars(select(extract("year", PairActivity.held_on)).distinct()).all())
    return sorted({int(year) for year in years} | {county_today().year})


def _activities_by_cell(year: int) -> dict[tuple[int, int, int], list[str]]:
    from marketplace.services.oversight.oversight_calendar import quarter_of

    cells: dict[tuple[int, int, int], list[str]] = {}
    rows = db.session.execute(
        select(
            PairActivity.unit_id,
            PairActivity.community_id,
            PairActivity.held_on,
            PairActivity.status,
        ).where(PairActivity.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    )
    for unit_id, community_id, held_on, status in rows:
        key = (unit_id, community_id, quarter_of(held_on).number)
        cells.setdefault(key, []).append(status)
    return cells


def _pair_name(row) -> str:
    return f"{row.pair.unit.name}—{row.pair.community.name}"


def _cell_differences(year: int, rows) -> list[str]:
    activities = _activities_by_cell(year)
    lines = []
    for row in rows:
        for quarter, status in row.cells.items():
            found = activities.get((row.pair.unit_id, row.pair.community_id, quarter), [])
            where = f"{year} 年第 {quarter} 季度 {_pair_name(row)}"
            if row.counts.get(quarter, 0) != len(found):
                lines.append(
                    f"{where}：矩阵记 {row.counts.get(quarter, 0)} 次活动，实有 {len(found)} 次"
                )
            if status not in DUE_STATUSES:
                continue
            if (status == "confirmed") != ("confirmed" in found):
                held = "有" if "confirmed" in found else "没有"
                lines.append(f"{where}：矩阵显示「{status}」，但{held}已确认的活动")
    return lines


def _compliant_quarters(rows) -> dict[int, int]:
    quarters: dict[int, set[int]] = {}
    for row in rows:
        for quarter, status in row.cells.items():
            if status == "confirmed":
                quarters.setdefault(row.pair.unit_id, set()).add(quarter)
    return {unit_id: len(numbers) for unit_id, numbers in quarters.items()}


def compliance_differences() -> list[str]:
    """Each compliance cell against the pair's activities; the assessment's quarters too."""
    from marketplace.models import Unit
    from marketplace.services.oversight.assessment_parts import quarters_compliant
    from marketplace.services.oversight.pair_activities import compliance

    lines = []
    for year in checked_years():
        rows = compliance(None, year)
        lines += _cell_differences(year, rows)
        matrix = _compliant_quarters(rows)
        assessed = quarters_compliant(year)
        for unit_id in sorted(set(matrix) | set(assessed)):
            if matrix.get(unit_id, 0) != assessed.get(unit_id, 0):
                unit = db.session.get(Unit, unit_id)
                lines.append(
                    f"{year} 年 {unit.name}：考核计达标季度 {assessed.get(unit_id, 0):g} 个，"
                    f"达标矩阵为 {matrix.get(unit_id, 0)} 个"
                )
    return lines


def assessment_differences() -> list[str]:
    """Each unit's assessment score against Σ value × weight of its parts."""
    from marketplace.services.oversight.assessment import assess, weights

    lines = []
    for year in checked_years():
        chosen = weights(year)
        for score in assess(year):
            total = sum(part.value * chosen.get(part.name, 0.0) for part in score.parts)
            if abs(score.score - total) > SCORE_TOLERANCE:
                lines.append(
                    f"{year} 年 {score.unit.name}：考核得分 {score.score:g}，"
                    f"各项加权合计 {total:.2f}"
                )
    return lines


register_check("oversight.compliance", "对接活动达标", compliance_differences)
register_check("assessment.score", "年度考核得分", assessment_differences)
