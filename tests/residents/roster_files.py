"""Roster files for the import and export tests: CSV in any encoding, .xlsx with text or number cells."""

import csv
import io

from openpyxl import Workbook, load_workbook

from residents.rosters.columns import COLUMNS

HEADERS = [column.header for column in COLUMNS]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """A valid 18-character ID number: the 17 digits given and their check character."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def row(**values) -> dict:
    return values


def csv_bytes(rows: list[dict], headers: list[str] | None = None, encoding: str = "utf-8-sig", **kw) -> bytes:
    headers = headers or HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer, **kw)
    writer.writerow(headers)
    for values in rows:
        writer.writerow([values.get(header, "") for header in headers])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict], headers: list[str] | None = None) -> bytes:
    """Cells are written as given: a str is a text cell (formatted @), an int or float a number cell."""
    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(header) for header in headers])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.number_format = "@"
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in cells] for cells in sheet.iter_rows()]


def read_xlsx_cells(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]
