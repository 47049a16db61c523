"""Check every row of a roster as the resident form would, then duplicates and existing residents.

The same checks run twice: when the file is uploaded (the preview) and again in the worker just
before writing, against the database as it is then. Nothing here writes.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from residents import idnumbers
from residents.idnumbers import normalize_id_number
from residents.models import Community, Grid, Resident
from residents.phones import normalize_phone, phone_warning, unverified_message
from residents.rosters import report
from residents.rosters.columns import (
    BY_FIELD,
    ID_AS_NUMBER,
    CellError,
    clean_text,
    flag_value,
    id_number_text,
    phone_text,
)
from residents.rosters.reading import RosterFileError, RosterTable
from residents.services import Prepared, resident_prepare

LOOKUP_BATCH = 900  # under SQLite's 999 parameters per query


@dataclass
class CheckedRow:
    """One valid row: the values to write (only the file's columns), and whom it updates."""

    row: int
    values: dict[str, object]  # Resident field → value; the grid as grid_id
    phone: str = ""  # E.164; an empty cell keeps the stored number
    id_number: str = ""  # normalised; an empty cell keeps the stored ID number
    fingerprint: str = ""
    resident_id: int | None = None  # the existing resident this row updates
    prepared: Prepared | None = None  # pinyin and the encrypted ID number, filled when preparing to write
    warnings: list[dict] = field(default_factory=list)  # imported all the same: said in the report

    def data(self) -> dict[str, object]:
        """What residents.services.resident_apply takes: an empty phone or ID cell keeps what is stored."""
        data = dict(self.values)
        if self.phone:
            data["phone"] = self.phone
        if self.id_number:
            data["id_number"] = self.id_number
        return data


@dataclass
class RosterCheck:
    columns: frozenset[str]
    total_rows: int = 0
    rows: list[CheckedRow] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)

    @property
    def to_update(self) -> int:
        return sum(1 for row in self.rows if row.resident_id)

    @property
    def to_create(self) -> int:
        return len(self.rows) - self.to_update


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def community_matches(text: str, community: Community) -> bool:
    """滨西社区, 滨西 or BX all name 滨西社区."""
    names = {community.name, community.name.removesuffix("社区"), community.code.lower(), community.code}
    return text in names or text.lower() in names


def grid_names(community: Community) -> dict[str, int]:
    rows = Grid.objects.filter(community=community).values_list("name", "pk")
    return {clean_text(name): pk for name, pk in rows}


def check_cells(
    *,
    table: RosterTable,
    number: int,
    cells: dict[str, object],
    grids: dict[str, int],
    community: Community,
    ids_pending: bool = False,
) -> tuple[CheckedRow | None, list[dict]]:
    """One row's cells → a CheckedRow, or None and the errors; warnings ride on the row.

    `ids_pending`: an ID number Excel stored as a number is left out, and the resident marked
    "ID number to be completed", instead of the row being refused.
    """
    errors: list[dict] = []
    row = CheckedRow(row=number, values={})

    def fail(name: str, message, params=None, kind: str = "") -> None:
        errors.append(report.entry(number, table.header(name), message, params, kind=kind))

    for name, raw in cells.items():
        column = BY_FIELD[name]
        try:
            if column.kind == "text":
                text = clean_text(raw)
                if column.max_length and len(text) > column.max_length:
                    fail(name, _("Too long: at most %(n)s characters."), {"n": column.max_length})
                row.values[name] = text
            elif column.kind == "flag":
                row.values[name] = flag_value(raw)
            elif column.kind == "phone":
                text = phone_text(raw)
                row.phone = normalize_phone(text) if text else ""
                if phone_warning(row.phone):
                    row.warnings.append(
                        report.entry(
                            number,
                            table.header(name),
                            unverified_message(),
                            kind=report.PHONE_UNVERIFIED,
                            level=report.WARNING,
                        )
                    )
            elif column.kind == "id_number":
                try:
                    text = id_number_text(raw)
                except CellError as exc:
                    if not (ids_pending and exc.kind == ID_AS_NUMBER):
                        raise
                    row.values["id_number_pending"] = True
                    continue
                row.id_number = normalize_id_number(text) if text else ""
                row.fingerprint = idnumbers.fingerprint(row.id_number) if row.id_number else ""
            elif column.kind == "grid":
                text = clean_text(raw)
                if text and text not in grids:
                    fail(
                        name,
                        _("There is no grid named %(grid)s in %(community)s."),
                        {"grid": text, "community": community.name},
                    )
                row.values["grid_id"] = grids.get(text)
            elif column.kind == "community":
                text = clean_text(raw)
                if text and not community_matches(text, community):
                    fail(
                        name,
                        _("This row belongs to %(other)s, not to %(community)s."),
                        {"other": text, "community": community.name},
                    )
        except CellError as exc:
            fail(name, exc.args[0], kind=exc.kind)
        except ValidationError as exc:
            errors.extend(report.from_validation_error(number, table.header(name), exc))
    if not row.values.get("name") and not any(error["column"] == table.header("name") for error in errors):
        fail("name", _("Enter the resident's name."))
    return (None, errors) if errors else (row, [])


def _drop_duplicates(rows: list[CheckedRow], table: RosterTable) -> tuple[list[CheckedRow], list[dict]]:
    """A later row with the same ID number, or the same name and phone, as an earlier one is reported;
    a later row sharing only the phone (a family's phone) is imported, with a warning naming the other."""
    by_fingerprint: dict[str, int] = {}
    by_name_phone: dict[tuple, int] = {}
    by_phone: dict[str, CheckedRow] = {}
    kept, found = [], []
    for row in rows:
        name_phone = (row.values.get("name"), row.phone)
        if row.fingerprint and row.fingerprint in by_fingerprint:
            found.append(
                report.entry(
                    row.row,
                    table.header("id_number"),
                    _("Same ID number as row %(row)s."),
                    {"row": by_fingerprint[row.fingerprint]},
                )
            )
            continue
        if row.phone and name_phone in by_name_phone:
            found.append(
                report.entry(
                    row.row,
                    table.header("phone"),
                    _("Same name and phone as row %(row)s."),
                    {"row": by_name_phone[name_phone]},
                )
            )
            continue
        if row.phone and row.phone in by_phone:
            other = by_phone[row.phone]
            row.warnings.append(
                report.entry(
                    row.row,
                    table.header("phone"),
                    _("Row %(row)s (%(name)s) has the same phone; both are imported with it."),
                    {"row": other.row, "name": other.values.get("name", "")},
                    kind=report.SHARED_PHONE,
                    level=report.WARNING,
                )
            )
        if row.fingerprint:
            by_fingerprint[row.fingerprint] = row.row
        if row.phone:
            by_name_phone.setdefault(name_phone, row.row)
            by_phone.setdefault(row.phone, row)
        kept.append(row)
    return kept, found


def _match_existing(
    rows: list[CheckedRow], community: Community, table: RosterTable
) -> tuple[list[CheckedRow], list[dict]]:
    """Same ID number (by its HMAC), or else the same name and phone: the row updates that resident.

    The ID numbers are looked up among every resident of the community, anonymised ones too: the
    database allows each only once per community (ID_NUMBER_UNIQUE), so a row whose ID number an
    anonymised resident still holds is reported here, not left to fail the whole import.
    A new resident whose phone another resident has, or whose name alone matches one, is imported
    with a warning naming that resident (a family's phone; a possible duplicate).
    """
    everyone = Resident.objects.filter(community=community)
    residents = everyone.filter(anonymised_at__isnull=True)
    by_fingerprint: dict[str, list[int]] = defaultdict(list)
    held_by_anonymised: set[str] = set()
    for batch in _chunks(sorted({row.fingerprint for row in rows if row.fingerprint}), LOOKUP_BATCH):
        found = everyone.filter(id_number_hmac__in=batch).values_list("pk", "id_number_hmac", "anonymised_at")
        for pk, fingerprint, anonymised_at in found:
            if anonymised_at:
                held_by_anonymised.add(fingerprint)
            else:
                by_fingerprint[fingerprint].append(pk)
    by_name_phone: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    by_phone: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for batch in _chunks(sorted({row.phone for row in rows if row.phone}), LOOKUP_BATCH):
        found = residents.filter(phone__in=batch).values_list("pk", "name", "phone", "id_number_hmac")
        for pk, name, phone, fingerprint in found:
            by_name_phone[(name, phone)].append((pk, fingerprint))
            by_phone[phone].append((pk, name))
    by_name: dict[str, list[int]] = defaultdict(list)
    for batch in _chunks(sorted({str(row.values.get("name")) for row in rows}), LOOKUP_BATCH):
        for pk, name in residents.filter(name__in=batch).order_by("pk").values_list("pk", "name"):
            by_name[name].append(pk)

    kept, found_report, claimed = [], [], {}

    def fail(row: CheckedRow, name: str, message, params=None) -> None:
        found_report.append(report.entry(row.row, table.header(name), message, params))

    def warn(row: CheckedRow, name: str, message, params, kind: str, resident: int) -> None:
        row.warnings.append(
            report.entry(
                row.row,
                table.header(name),
                message,
                params,
                kind=kind,
                level=report.WARNING,
                resident=resident,
            )
        )

    for row in rows:
        if row.fingerprint in held_by_anonymised:
            fail(
                row,
                "id_number",
                _(
                    "An anonymised resident still has this ID number, so this row cannot be imported. "
                    "Tell an administrator."
                ),
            )
            continue
        candidates = by_fingerprint.get(row.fingerprint, []) if row.fingerprint else []
        if len(candidates) > 1:
            fail(row, "id_number", _("Several residents already have this ID number. Merge them first."))
            continue
        if candidates:
            row.resident_id = candidates[0]
        elif row.phone and (row.values.get("name"), row.phone) in by_name_phone:
            same = by_name_phone[(row.values.get("name"), row.phone)]
            if len(same) > 1:
                fail(row, "phone", _("Several residents have this name and phone. Edit them one by one."))
                continue
            pk, fingerprint = same[0]
            if row.fingerprint and fingerprint and fingerprint != row.fingerprint:
                fail(
                    row,
                    "id_number",
                    _("A resident with this name and phone has a different ID number. Check the ID number."),
                )
                continue
            row.resident_id = pk
        if row.resident_id and row.resident_id in claimed:
            fail(
                row,
                "name",
                _("Row %(row)s already updates the same resident."),
                {"row": claimed[row.resident_id]},
            )
            continue
        if row.resident_id:
            claimed[row.resident_id] = row.row
        else:
            namesakes = by_name.get(str(row.values.get("name")), [])
            if namesakes:
                warn(
                    row,
                    "name",
                    _("Possible duplicate: %(name)s is already registered, with another phone or ID number."),
                    {"name": row.values.get("name")},
                    report.POSSIBLE_DUPLICATE,
                    namesakes[0],
                )
        if row.phone:
            for pk, name in by_phone.get(row.phone, []):
                if pk != row.resident_id and name != row.values.get("name"):
                    warn(
                        row,
                        "phone",
                        _("%(name)s already has this phone number; it is shared."),
                        {"name": name},
                        report.SHARED_PHONE,
                        pk,
                    )
                    break
        kept.append(row)
    return kept, found_report


def prepare(row: CheckedRow) -> None:
    """What writing needs and checking does not: every pinyin reading, the encrypted ID number."""
    row.prepared = resident_prepare(row.data())


def check_roster(
    *,
    community: Community,
    table: RosterTable,
    ids_pending: bool = False,
    prepare_rows: bool = False,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 500,
) -> RosterCheck:
    """Every data row checked; the report sorted by row. Raises RosterFileError for a file-wide problem."""
    grids = grid_names(community)
    check = RosterCheck(columns=frozenset(table.columns))
    found = [
        report.entry(
            table.header_row,
            header,
            _("Unknown column; it is not imported."),
            kind=report.UNKNOWN_COLUMN,
            level=report.WARNING,
        )
        for header in table.unknown_headers
    ]
    rows: list[CheckedRow] = []
    for number, cells in table.rows():
        check.total_rows += 1
        row, errors = check_cells(
            table=table, number=number, cells=cells, grids=grids, community=community, ids_pending=ids_pending
        )
        if row is None:
            found.extend(errors)
        else:
            if prepare_rows:
                prepare(row)
            rows.append(row)
        if on_progress and check.total_rows % progress_every == 0:
            on_progress(check.total_rows)
    if check.total_rows == 0:
        raise RosterFileError(_("The file has no rows below the header."))
    rows, duplicates = _drop_duplicates(rows, table)
    rows, conflicts = _match_existing(rows, community, table)
    check.rows = rows
    order = {name: index for index, name in enumerate(BY_FIELD)}
    by_header = {header: order.get(name, 99) for name, (_i, header) in table.columns.items()}
    warnings = [warning for row in rows for warning in row.warnings]
    check.report = sorted(
        found + duplicates + conflicts + warnings,
        key=lambda entry: (entry["row"], by_header.get(entry["column"], 99)),
    )
    return check


error_rows = report.error_rows
