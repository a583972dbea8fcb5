"""Excel helpers shared by every export and import: safe cells, sheet names, tables."""

import re
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from marketplace.errors import InvalidInput

# A text starting like a formula would run in Excel (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ZIP_MAGIC = b"PK\x03\x04"


def safe_cell(value):
    """Return ``value`` so that Excel shows it as text, never runs it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def sheet_title(name: str, used: set[str]) -> str:
    """Return a valid, unique Excel sheet title for ``name`` (recorded in ``used``)."""
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "Sheet"
    candidate, number = title, 2
    while candidate in used:
        candidate, number = f"{title}{number}", number + 1
    used.add(candidate)
    return candidate


def write_table(sheet, header: list, rows, width: int = 16) -> None:
    """Append a bold header and ``rows`` (made safe) to ``sheet``; freeze a first-row header."""
    sheet.append(header)
    if sheet.max_row == 1:
        sheet.freeze_panes = "A2"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for index, _ in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def new_workbook() -> tuple[Workbook, set[str]]:
    """Return an empty workbook (no default sheet) and its set of used sheet titles."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook, set()


def to_bytes(workbook: Workbook) -> bytes:
    """Serialise ``workbook`` as .xlsx bytes."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """Return the first sheet's header and its non-empty rows as (row number, {header: value})."""
    if not content.startswith(ZIP_MAGIC):
        raise InvalidInput("请上传 Excel 文件（.xlsx）。", field="file")
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput(
            "无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。", field="file"
        ) from None
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [str(value).strip() if value is not None else "" for value in next(rows, ())]
    records = []
    for number, values in enumerate(rows, start=2):
        if all(value in (None, "") for value in values):
            continue
        record = {name: value for name, value in zip(header, values, strict=False) if name}
        records.append((number, record))
    workbook.close()
    return header, records
