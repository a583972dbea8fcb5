"""Excel helpers shared by every export and import: safe cells, sheet names, tables."""

import re
import zipfile
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported where used: it costs ~1 s at every start-up
    from openpyxl import Workbook

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
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append(header)
    if sheet.max_row == 1:
        sheet.freeze_panes = "A2"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for index, _ in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def new_workbook() -> tuple["Workbook", set[str]]:
    """Return an empty workbook (no default sheet) and its set of used sheet titles."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook, set()


def to_bytes(workbook: "Workbook") -> bytes:
    """Serialise ``workbook`` as .xlsx bytes."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _check_unpacked_size(content: bytes, max_bytes: int) -> None:
    """Refuse an .xlsx (a zip) whose parts unpack to more than ``max_bytes``.

    zipfile never yields more than a member's declared size, so the sum of declared sizes
    bounds what openpyxl can unpack: a small file cannot expand into gigabytes.
    """
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput(
            "无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。", field="file"
        ) from None
    if unpacked > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise InvalidInput(f"文件解压后超过 {limit} MB，请拆分后分批导入。", field="file")


def read_rows(
    content: bytes, *, max_rows: int = 5000, max_unpacked_bytes: int = 20 * 1024 * 1024
) -> tuple[list[str], list[tuple[int, dict]]]:
    """Return the first sheet's header and its non-empty rows as (row number, {header: value}).

    Refuses a file of more than ``max_rows`` data rows or one whose parts unpack to more
    than ``max_unpacked_bytes``, before reading further.
    """
    if not content.startswith(ZIP_MAGIC):
        raise InvalidInput("请上传 Excel 文件（.xlsx）。", field="file")
    _check_unpacked_size(content, max_unpacked_bytes)
    from openpyxl import load_workbook

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
        if len(records) > max_rows:
            workbook.close()
            raise InvalidInput(f"一次最多导入 {max_rows} 行，请拆分文件后分批导入。", field="file")
    workbook.close()
    return header, records
