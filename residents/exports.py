"""Roster export: the directory's filters within the user's communities, phones and IDs masked, logged.

What rows and columns a roster export has is here; writing the file (CSV with a BOM or in GB18030,
.xlsx of text cells), the access log and the file's name are residents/tabular.py's, shared with the
other exports.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from residents import tabular
from residents.models import Resident
from residents.roles import Can
from residents.rosters.columns import COLUMNS, COMMUNITY, TEXT_FORMAT_FIELDS
from residents.scoping import communities_where
from residents.selectors import search_filter

EXPORT_COLUMNS = (COMMUNITY, *COLUMNS)
HEADERS = [column.header for column in EXPORT_COLUMNS]
TABLE = [
    tabular.TableColumn(column.header, column.width, text=column.field in TEXT_FORMAT_FIELDS)
    for column in EXPORT_COLUMNS
]
SHEET_TITLE = "居民名册"


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
            "q": tabular.masked_for_log(self.q),
        }
        return {"format": file_format, **{key: value for key, value in data.items() if value}}


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
    counts = dict(
        export_queryset(user=user, filters=filters)
        .order_by()
        .values_list("community_id")
        .annotate(rows=Count("id"))
    )
    return tabular.log_export(
        actor=user,
        counts=counts,
        community_ids=[filters.community_id] if filters.community_id in allowed else allowed,
        detail=_("Roster export (%(format)s)") % {"format": file_format.upper()},
        filters=filters.for_log(file_format),
    )


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


def rows(queryset: QuerySet[Resident]) -> Iterator[list[str]]:
    return (row_values(resident) for resident in queryset.iterator(chunk_size=2000))


def csv_chunks(queryset: QuerySet[Resident], *, encoding: str = "utf-8-sig") -> Iterator[bytes]:
    return tabular.csv_chunks(TABLE, rows(queryset), encoding=encoding)


def xlsx_file(queryset: QuerySet[Resident]):
    return tabular.xlsx_file(TABLE, rows(queryset), sheet_title=SHEET_TITLE)


def is_filtered(filters: ExportFilters) -> bool:
    return bool(filters.grid_id or filters.compound or filters.flags or filters.q)


def export_filename(*, community_name: str, filters: ExportFilters, file_format: str) -> str:
    """居民名册-滨西社区-20261129.csv, 居民名册-滨西社区-筛选-20261129.xlsx."""
    return tabular.export_filename(
        title=SHEET_TITLE,
        community_name=community_name,
        filtered=is_filtered(filters),
        suffix=tabular.FORMATS[file_format].suffix,
    )
