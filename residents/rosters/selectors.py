"""Reads for the roster pages: recent imports, the preview's first valid rows, the progress bar."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from residents.idnumbers import mask_id_number
from residents.models import Resident, RosterImport
from residents.roles import Can
from residents.rosters import report
from residents.rosters.checking import check_cells, error_rows, grid_names
from residents.rosters.reading import RosterFileError, open_roster
from residents.rosters.services import written_so_far
from residents.scoping import communities_where
from residents.services import resident_apply

REPORT_SHOWN = 200


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
        now = timezone.now()
        for number, cells in table.rows():
            if number in skip:
                continue
            row, _errors = check_cells(
                table=table, number=number, cells=cells, grids=grids, community=roster_import.community
            )
            if row is None:
                continue
            # The resident as the import will write it, shown by the code of the saved page.
            resident = Resident(community=roster_import.community)
            resident_apply(resident, {**row.data(), "id_number": ""}, now=now)
            sample.append(
                SampleRow(
                    row=number,
                    name=resident.name,
                    masked_phone=resident.masked_phone,
                    contact=" ".join(
                        part for part in (resident.contact_name, resident.contact_relation) if part
                    ),
                    address=resident.address,
                    grid=grid_by_pk.get(resident.grid_id, ""),
                    masked_id_number=mask_id_number(row.id_number),
                    flags=resident.flags
                    + (
                        [str(Resident._meta.get_field("sms_consent").verbose_name)]
                        if resident.sms_consent
                        else []
                    ),
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


def report_page(roster_import: RosterImport) -> tuple[list[report.Group], int]:
    """The problems grouped by kind (errors first), and how many rows the option "import without
    the ID numbers Excel turned into numbers" would add."""
    entries = roster_import.report or []
    return report.grouped(entries, shown_per_group=REPORT_SHOWN), len(report.rescuable_rows(entries))
