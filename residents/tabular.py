"""Tabular downloads, shared by every export: the roster export here, request exports and the monthly
report in higher apps (so it lives in `residents`, the lowest layer).

- `csv_chunks`: CSV streamed in chunks, as UTF-8 with a BOM (Excel then reads Chinese) or as GB18030
  (what older Chinese Excel opens without asking); a cell Excel would run as a formula is defused.
- `xlsx_file`: a write-only workbook of text cells only, so nothing becomes a number or a formula.
- `download_response`: either file as an attachment with the right type and name.
- `export_filename`: 居民名册-滨西社区-筛选-20261129.csv.
- `masked_for_log` and `log_export`: every export is logged per community (who, which filter, how
  many rows) before the first byte is sent, without a phone or ID number typed in a search (DESIGN §6).

Masking the cells themselves is the caller's: it knows which of its columns hold a phone
(`phones.mask_phone`) or an ID number (`idnumbers.mask_id_number`).
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from residents.logfilter import mask_text
from residents.models import AccessLog

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_ROWS = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class FileFormat:
    """A format offered for download: the `download` parameter's value, its suffix and encoding."""

    key: str
    suffix: str
    encoding: str = ""  # CSV only

    @property
    def content_type(self) -> str:
        if self.suffix == "xlsx":
            return XLSX_TYPE
        return f"text/csv; charset={'utf-8' if self.encoding == 'utf-8-sig' else self.encoding}"


CSV = FileFormat("csv", "csv", "utf-8-sig")
CSV_GB18030 = FileFormat("csv-gb18030", "csv", "gb18030")
XLSX = FileFormat("xlsx", "xlsx")
FORMATS = {f.key: f for f in (CSV, CSV_GB18030, XLSX)}


@dataclass(frozen=True)
class TableColumn:
    header: str
    width: int = 12  # characters, in the .xlsx
    text: bool = False  # formatted as text (@) in the .xlsx: a phone, an ID number, a room "0501"


def csv_safe(value: str) -> str:
    """A cell that Excel would run as a formula (=, +, -, @) is written with a leading apostrophe."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_chunks(
    columns: Sequence[TableColumn], rows: Iterable[Sequence[str]], *, encoding: str = "utf-8-sig"
) -> Iterator[bytes]:
    """The CSV in chunks of CHUNK_ROWS rows, encoded; `rows` is read lazily (a database iterator)."""
    writer = csv.writer(_Line())
    # utf-8-sig writes its BOM once, at the start of the first chunk
    yield writer.writerow([column.header for column in columns]).encode(encoding)
    body = "utf-8" if encoding == "utf-8-sig" else encoding
    lines: list[str] = []
    for values in rows:
        lines.append(writer.writerow([csv_safe(value) for value in values]))
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines).encode(body)
            lines = []
    if lines:
        yield "".join(lines).encode(body)


def xlsx_file(columns: Sequence[TableColumn], rows: Iterable[Sequence[str]], *, sheet_title: str):
    """A temporary .xlsx file (write-only workbook): every cell a text cell, never a number or formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])  # Excel's limit for a sheet's name
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(value: str, index: int, font=None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # '=1+1' or '0501' stay text
        if columns[index].text:
            cell.number_format = "@"
        if font:
            cell.font = font
        return cell

    sheet.append([text_cell(column.header, i, bold) for i, column in enumerate(columns)])
    for values in rows:
        sheet.append([text_cell(value, i) for i, value in enumerate(values)])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — the response closes it once sent
    workbook.save(handle)
    handle.seek(0)
    return handle


def download_response(
    columns: Sequence[TableColumn],
    rows: Iterable[Sequence[str]],
    *,
    file_format: FileFormat,
    filename: str,
    sheet_title: str,
):
    """The file as an attachment: CSV streamed, .xlsx from a temporary file."""
    if file_format.suffix == "xlsx":
        return FileResponse(
            xlsx_file(columns, rows, sheet_title=sheet_title),
            as_attachment=True,
            filename=filename,
            content_type=file_format.content_type,
        )
    response = StreamingHttpResponse(
        csv_chunks(columns, rows, encoding=file_format.encoding), content_type=file_format.content_type
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def export_filename(*, title: str, community_name: str, filtered: bool, suffix: str, day=None) -> str:
    """居民名册-滨西社区-20261129.csv; "-筛选" when only part was chosen, so a filtered file is never
    taken for the whole register."""
    day = day or timezone.localdate()
    return f"{title}-{community_name}{'-筛选' if filtered else ''}-{day:%Y%m%d}.{suffix}"


# Digits, possibly typed in groups ("1234 5678", "4111-0219-…"): counted together.
_DIGIT_GROUPS = re.compile(r"\d(?:[\d \-]*\d)?")


def _keep_last_four_digits(match: re.Match) -> str:
    group = match[0]
    hide = sum(c.isdigit() for c in group) - 4
    if hide <= 0:
        return group
    out = []
    for c in group:
        if c.isdigit() and hide > 0:
            out.append("*")
            hide -= 1
        else:
            out.append(c)
    return "".join(out)


def masked_for_log(text: str) -> str:
    """Text typed in a filter, as the access log keeps it: a phone or ID number typed whole or in part
    shows only its last four digits (the log is read by supervisors, DESIGN §6)."""
    return _DIGIT_GROUPS.sub(_keep_last_four_digits, mask_text(text))


def log_export(
    *, actor, counts: dict[int, int], community_ids: Iterable[int], detail: str, filters: dict
) -> int:
    """One AccessLog entry per community exported, with its row count; returns the total rows."""
    now = timezone.now()
    AccessLog.objects.bulk_create(
        AccessLog(
            actor=actor,
            community_id=community_id,
            action=AccessLog.Action.EXPORT,
            detail=detail[:200],
            filters=filters,
            row_count=counts.get(community_id, 0),
            created_at=now,
        )
        for community_id in community_ids
    )
    return sum(counts.values())
