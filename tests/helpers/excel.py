"""Excel workbooks built in memory for import tests."""

from io import BytesIO

from openpyxl import Workbook


def sheet_bytes(header, *rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
