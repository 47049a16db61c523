"""Roster export: the directory's filters within the user's communities, phones and IDs masked, logged.

CSV is written with a UTF-8 BOM (so Excel opens Chinese text correctly) and streamed; .xlsx has text
cells only, so nothing is turned into a number or a formula. Every export writes an AccessLog entry
per community (who, which filters, how many rows) before the first byte is sent.
"""

import csv
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from residents.logfilter import mask_text
from residents.models import AccessLog, Resident
from residents.roles import Can
from residents.rosters.columns import COLUMNS, COMMUNITY, TEXT_FORMAT_FIELDS
from residents.scoping import communities_where
from residents.selectors import search_filter

EXPORT_COLUMNS = (COMMUNITY, *COLUMNS)
HEADERS = [column.header for column in EXPORT_COLUMNS]
CHUNK_ROWS = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFilters:
    """The directory's filters: community, grid, compound, flags, and what was typed in the search box."""

    community_id: int | None = None
    grid_id: int | None = None
    compound: str = ""
    flags: tuple[str, ...] = field(default_factory=tuple)
    q: str = ""
    grid_name: str = ""  # for the access log only: an id means little three years later

    def for_log(self, file_format: str) -> dict:
        data = {
            "community": self.community_id,
            "grid": self.grid_id,
            "grid_name": self.grid_name,
            "compound": self.compound,
            "flags": list(self.flags),
            "q": _searched_for_log(self.q),
        }
        return {"format": file_format, **{key: value for key, value in data.items() if value}}


def _searched_for_log(text: str) -> str:
    """What was typed in the search box, as the access log keeps it: a phone or ID number typed
    whole or in part shows only its last four digits (the log is read by supervisors, DESIGN §6)."""
    return _DIGIT_GROUPS.sub(_keep_last_four_digits, mask_text(text))


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


def export_queryset(*, user, filters: ExportFilters) -> QuerySet[Resident]:
    """The residents an export contains: only communities where the user may export, never anonymised."""
    allowed = communities_where(user, Can.IMPORT_EXPORT)
    if filters.community_id:
        allowed = [cid for cid in allowed if cid == filters.community_id]
    queryset = Resident.objects.filter(community_id__in=allowed, anonymised_at__isnull=True)
    if filters.grid_id:
        queryset = queryset.filter(grid_id=filters.grid_id)
    if filters.compound:
        queryset = queryset.filter(compound=filters.compound)
    for flag in filters.flags:
        if flag in Resident.FLAGS:
            queryset = queryset.filter(**{flag: True})
    queryset = search_filter(queryset, filters.q)  # the directory's search, word for word
    return queryset.select_related("community", "grid").order_by(
        "community__name", "compound", "building", "unit", "room", "name", "id"
    )


def log_export(*, user, filters: ExportFilters, file_format: str) -> int:
    """One AccessLog entry per community exported (rows counted now); returns the total."""
    allowed = communities_where(user, Can.IMPORT_EXPORT)
    communities = [filters.community_id] if filters.community_id in allowed else allowed
    counts = dict(
        export_queryset(user=user, filters=filters)
        .order_by()
        .values_list("community_id")
        .annotate(rows=Count("id"))
    )
    now = timezone.now()
    detail = _("Roster export (%(format)s)") % {"format": file_format.upper()}
    AccessLog.objects.bulk_create(
        AccessLog(
            actor=user,
            community_id=community_id,
            action=AccessLog.Action.EXPORT,
            detail=detail,
            filters=filters.for_log(file_format),
            row_count=counts.get(community_id, 0),
            created_at=now,
        )
        for community_id in communities
    )
    return sum(counts.values())


def row_values(resident: Resident) -> list[str]:
    """The export's cells: phone and ID number masked, flags as 是 / 否."""
    values = {
        "community": resident.community.name,
        "phone": resident.masked_phone,
        "grid": resident.grid.name if resident.grid else "",
        "id_number": resident.id_number_masked,
    }
    cells = []
    for column in EXPORT_COLUMNS:
        if column.field in values:
            cells.append(values[column.field])
        elif column.kind == "flag":
            cells.append("是" if getattr(resident, column.field) else "否")
        else:
            cells.append(str(getattr(resident, column.field) or ""))
    return cells


def _csv_safe(value: str) -> str:
    """A cell that Excel would run as a formula (=, +, -, @) is written with a leading apostrophe."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_chunks(queryset: QuerySet[Resident]) -> Iterator[str]:
    """The CSV in chunks of CHUNK_ROWS rows, a BOM first; read with a database iterator, not all at once."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(HEADERS)
    lines: list[str] = []
    for resident in queryset.iterator(chunk_size=2000):
        lines.append(writer.writerow([_csv_safe(value) for value in row_values(resident)]))
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def xlsx_file(queryset: QuerySet[Resident]):
    """A temporary .xlsx file (write-only workbook): every cell a text cell, never a number or formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民名册")
    for index, column in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    text_columns = {i for i, column in enumerate(EXPORT_COLUMNS) if column.field in TEXT_FORMAT_FIELDS}

    def text_cell(value: str, index: int, font=None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # '=1+1' or '0501' stay text
        if index in text_columns:
            cell.number_format = "@"
        if font:
            cell.font = font
        return cell

    sheet.append([text_cell(header, i, bold) for i, header in enumerate(HEADERS)])
    for resident in queryset.iterator(chunk_size=2000):
        sheet.append([text_cell(value, i) for i, value in enumerate(row_values(resident))])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — the response closes it once sent
    workbook.save(handle)
    handle.seek(0)
    return handle


def export_filename(*, community_name: str, filters: ExportFilters, file_format: str) -> str:
    """居民名册-滨西社区-20261129.csv; "-筛选" when only part of the register was chosen, so a
    filtered file is never taken for the whole register."""
    part = "-筛选" if (filters.grid_id or filters.compound or filters.flags or filters.q) else ""
    return f"居民名册-{community_name}{part}-{timezone.localdate():%Y%m%d}.{file_format}"
