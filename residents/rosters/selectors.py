"""Reads for the roster pages: recent imports, the preview's first valid rows, the progress bar."""

from dataclasses import dataclass

from django.db.models import QuerySet

from residents.idnumbers import mask_id_number
from residents.models import RosterImport
from residents.phones import mask_phone
from residents.roles import Can
from residents.rosters.checking import check_cells, error_rows, grid_names
from residents.rosters.columns import COLUMNS
from residents.rosters.reading import RosterFileError, open_roster
from residents.rosters.services import written_so_far
from residents.scoping import communities_where

REPORT_SHOWN = 200
FLAG_HEADERS = {column.field: column.header for column in COLUMNS if column.kind == "flag"}


def recent_imports(*, user, limit: int = 10) -> QuerySet[RosterImport]:
    """The latest uploads of the communities where the user may import, without their files."""
    return (
        RosterImport.objects.filter(community_id__in=communities_where(user, Can.IMPORT_EXPORT))
        .select_related("community", "uploaded_by")
        .defer("content", "report")
        .order_by("-created_at", "-id")[:limit]
    )


def roster_import_for_page(
    queryset: QuerySet[RosterImport], *, with_report: bool = True
) -> QuerySet[RosterImport]:
    """Never the file (up to 10 MB); the report (up to 20,000 entries) only when the page shows it."""
    deferred = ("content",) if with_report else ("content", "report")
    return queryset.select_related("community", "uploaded_by").defer(*deferred)


@dataclass
class SampleRow:
    row: int
    name: str
    masked_phone: str
    contact: str
    address: str
    grid: str
    masked_id_number: str
    flags: list[str]


def preview_sample(*, roster_import: RosterImport, limit: int = 10) -> list[SampleRow]:
    """The first valid rows of a previewed file, as the import will read them; phones and IDs masked."""
    if roster_import.status != RosterImport.Status.PREVIEWED:
        return []
    content = RosterImport.objects.filter(pk=roster_import.pk).values_list("content", flat=True).first()
    if not content:
        return []
    try:
        table = open_roster(bytes(content), roster_import.file_name)
        skip = error_rows(roster_import.report)
        grids = grid_names(roster_import.community)
        grid_by_pk = {pk: name for name, pk in grids.items()}
        sample = []
        for number, cells in table.rows():
            if number in skip:
                continue
            row, _errors = check_cells(
                table=table, number=number, cells=cells, grids=grids, community=roster_import.community
            )
            if row is None:
                continue
            values = row.values
            address = " ".join(
                str(values.get(part) or "") for part in ("compound", "building", "unit", "room")
            ).strip()
            sample.append(
                SampleRow(
                    row=number,
                    name=str(values.get("name", "")),
                    masked_phone=mask_phone(row.phone),
                    contact=" ".join(
                        str(values.get(part) or "") for part in ("contact_name", "contact_relation")
                    ).strip(),
                    address=" ".join(address.split()),
                    grid=grid_by_pk.get(values.get("grid_id"), ""),
                    masked_id_number=mask_id_number(row.id_number),
                    flags=[header for name, header in FLAG_HEADERS.items() if values.get(name)],
                )
            )
            if len(sample) >= limit:
                break
        return sample
    except RosterFileError:
        return []


@dataclass
class Progress:
    phase: str  # waiting, checking, writing, done, failed, previewed
    percent: int
    done: int
    total: int
    polling: bool


def roster_progress(roster_import: RosterImport) -> Progress:
    Status = RosterImport.Status
    status, total = roster_import.status, roster_import.total_rows
    if status == Status.QUEUED:
        return Progress("waiting", 0, 0, total, True)
    if status == Status.RUNNING:
        if roster_import.processed_rows < total:
            done = roster_import.processed_rows
            return Progress("checking", int(100 * done / max(total, 1)), done, total, True)
        written = written_so_far(roster_import)
        valid = roster_import.valid_rows
        if written is None:
            return Progress("writing", 100, 0, valid, True)
        return Progress("writing", int(100 * written / max(valid, 1)), written, valid, True)
    if status == Status.DONE:
        return Progress("done", 100, total, total, False)
    if status == Status.FAILED:
        return Progress("failed", 100, roster_import.processed_rows, total, False)
    return Progress("previewed", 0, 0, total, False)


def report_page(roster_import: RosterImport) -> tuple[list[dict], int]:
    """The first REPORT_SHOWN entries, and how many more the downloadable report has."""
    report = roster_import.report or []
    return report[:REPORT_SHOWN], max(0, len(report) - REPORT_SHOWN)
