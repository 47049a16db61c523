"""Open an uploaded roster: .xlsx or .csv, find the header row, yield the data rows.

CSV is decoded as UTF-8 with a BOM, UTF-8, then GB18030 (what Chinese Excel writes), in that order;
the delimiter is whichever of comma, tab or semicolon splits the header into the most known columns.
Row numbers are the file's own (the header is usually row 1), as Excel shows them.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from residents.rosters.columns import (
    ALIASES,
    COLUMNS,
    FORMULA_WITHOUT_VALUE,
    Column,
    clean_text,
    header_key,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 5  # a title line such as 滨西社区居民花名册 may sit above the headers
MAX_COLUMNS = 100
_XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class RosterFileError(ValueError):
    """The file as a whole cannot be read; nothing is imported."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class RosterTable:
    """The header (which column holds which field) and the data rows, read lazily."""

    kind: str  # "csv" or "xlsx"
    header_row: int
    columns: dict[str, tuple[int, str]]  # field → (index in the row, the header as the file writes it)
    unknown_headers: list[str] = field(default_factory=list)
    _rows: Iterator[tuple[int, tuple]] | None = None

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """(row number, {field: raw cell}) for every non-empty data row; stops with an error past MAX_ROWS."""
        seen = 0
        for number, cells in self._rows or ():
            values = {
                name: cells[index] if index < len(cells) else None
                for name, (index, _h) in self.columns.items()
            }
            if all(value is None or str(value).strip() == "" for value in values.values()):
                continue
            seen += 1
            if seen > MAX_ROWS:
                raise RosterFileError(
                    _("The file has more than %(limit)s rows. Split it into smaller files.")
                    % {"limit": f"{MAX_ROWS:,}"}
                )
            yield number, values

    def header(self, name: str) -> str:
        return self.columns[name][1]


def open_roster(content: bytes, file_name: str = "") -> RosterTable:
    """Detect the format from the bytes (a .xlsx is a zip), not only from the name."""
    if not content:
        raise RosterFileError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise RosterFileError(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if content.startswith(_XLS_SIGNATURE):
        raise RosterFileError(
            _(
                "Old Excel files (.xls) cannot be read. "
                "In Excel, save the file as .xlsx or CSV and upload that."
            )
        )
    if content.startswith(b"PK\x03\x04"):
        return _open_xlsx(content)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise RosterFileError(_("This file is not a valid .xlsx workbook."))
    return _open_csv(content)


def _find_header(rows: Iterator[tuple[int, tuple]], kind: str) -> RosterTable:
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        mapped: dict[str, tuple[int, str]] = {}
        unknown: list[str] = []
        for index, cell in enumerate(cells[:MAX_COLUMNS]):
            try:
                text = clean_text(cell)
            except ValueError:
                text = ""
            if not text:
                continue
            column: Column | None = ALIASES.get(header_key(text))
            if column is None:
                unknown.append(text)
            elif column.field in mapped:
                raise RosterFileError(
                    _("The column %(header)s appears twice (row %(row)s). Keep one of them.")
                    % {"header": text, "row": number}
                )
            else:
                mapped[column.field] = (index, text)
        if "name" in mapped:
            return RosterTable(
                kind=kind, header_row=number, columns=mapped, unknown_headers=unknown, _rows=rows
            )
    raise RosterFileError(
        _(
            "No header row with a 姓名 (name) column was found in the first %(n)s rows. "
            "Download the template to see the columns."
        )
        % {"n": HEADER_SEARCH_ROWS}
    )


# --- .xlsx --------------------------------------------------------------------------------------


def _open_xlsx(content: bytes) -> RosterTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size; read what is there
        unsaved = _formulas_without_value(workbook, sheet)
    except Exception:  # openpyxl raises a zoo of its own errors on damaged files
        raise RosterFileError(_("This file is not a valid .xlsx workbook.")) from None

    def rows() -> Iterator[tuple[int, tuple]]:
        try:
            for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if number in unsaved:
                    cells = _mark_unsaved(cells, unsaved[number])
                yield number, cells
        except Exception:
            raise RosterFileError(_("This file is not a valid .xlsx workbook.")) from None
        finally:
            workbook.close()

    return _find_header(rows(), "xlsx")


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _formulas_without_value(workbook, sheet) -> dict[int, set[int]]:
    """{row: {column index}} of the cells holding a formula and no saved result. openpyxl reads such
    a cell as empty (data_only), so the sheet's XML is read for them — only when it has formulas."""
    from openpyxl.utils import column_index_from_string

    # The parser openpyxl itself reads this sheet with (defusedxml when installed; expat ≥ 2.4
    # refuses entity expansion bombs either way).
    from openpyxl.xml.functions import iterparse

    with workbook._archive.open(sheet._worksheet_path) as xml:  # read-only sheets keep the zip open
        data = xml.read()
    if b"<f" not in data and b":f" not in data:
        return {}
    found: dict[int, set[int]] = {}
    for _event, element in iterparse(io.BytesIO(data), events=("end",)):
        if element.tag != f"{_SHEET_NS}c":
            continue
        formula, value = element.find(f"{_SHEET_NS}f"), element.find(f"{_SHEET_NS}v")
        if formula is not None and (value is None or not value.text):
            match = _CELL_REF.match(element.get("r", ""))
            if match:
                found.setdefault(int(match[2]), set()).add(column_index_from_string(match[1]) - 1)
        element.clear()
    return found


def _mark_unsaved(cells: tuple, columns: set[int]) -> tuple:
    marked = list(cells)
    for index in columns:
        if index >= MAX_COLUMNS:
            continue
        if index >= len(marked):
            marked.extend([None] * (index + 1 - len(marked)))
        if marked[index] is None:
            marked[index] = FORMULA_WITHOUT_VALUE
    return tuple(marked)


# --- .csv ---------------------------------------------------------------------------------------


def decode_csv(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise RosterFileError(
            _("This is not a CSV or .xlsx file (a UTF-16 text file?). Save it from Excel as CSV or .xlsx.")
        )
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(
        _(
            "The file's characters cannot be read: it is neither UTF-8 nor GB18030. "
            "Save it from Excel as CSV (UTF-8) or .xlsx."
        )
    )


def _delimiter(text: str) -> str:
    first_lines = text.splitlines()[:HEADER_SEARCH_ROWS]

    def known_columns(delimiter: str) -> int:
        best = 0
        for line in first_lines:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            best = max(best, sum(1 for cell in cells if header_key(cell) in ALIASES))
        return best

    return max((",", "\t", ";"), key=known_columns)


def _open_csv(content: bytes) -> RosterTable:
    text = decode_csv(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def rows() -> Iterator[tuple[int, tuple]]:
        try:  # a record, not a line: a quoted cell may hold line breaks, and Excel shows one row
            for number, cells in enumerate(reader, start=1):
                yield number, tuple(cells)
        except csv.Error as exc:
            raise RosterFileError(
                _("The CSV file is damaged near line %(line)s.") % {"line": reader.line_num}
            ) from exc

    return _find_header(rows(), "csv")


def known_headers() -> list[str]:
    return [column.header for column in COLUMNS]
