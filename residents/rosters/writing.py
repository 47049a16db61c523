"""Write the checked rows: new residents with bulk_create, existing ones with one UPDATE per row sent
in batches with executemany. Called inside the caller's one transaction: every valid row, or none.

Why not QuerySet.bulk_update: it builds a CASE WHEN per row and field, and resolving those
expressions in Python costs about 8 ms a row (80 s for 10,000 rows, measured by bench/bench_import.py);
a prepared UPDATE with each value adapted by its own field (get_db_prep_save, as Model.save does)
runs on both databases at thousands of rows a second.
"""

from collections.abc import Callable, Iterator

from django.db import connection
from django.utils import timezone

from residents.models import Community, Resident
from residents.rosters.checking import CheckedRow, RosterCheck, prepare
from residents.services import resident_apply

BATCH = 500
_ID_FIELDS = ["id_number_encrypted", "id_number_hmac", "id_number_masked", "birth_date", "id_number_pending"]


def _batches(rows: list[CheckedRow]) -> Iterator[list[CheckedRow]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _apply(resident: Resident, row: CheckedRow, now) -> None:
    """Copy the row onto the resident through the one writer's rules (residents.services)."""
    if row.prepared is None:
        prepare(row)
    resident_apply(resident, row.data(), now=now, prepared=row.prepared)


def update_fields(columns: frozenset[str]) -> list[str]:
    fields = {"name_pinyin", "updated_at"}
    for name in columns:
        if name == "grid":
            fields.add("grid")
        elif name == "phone":
            fields.add("phone")
        elif name == "id_number":
            fields.update(_ID_FIELDS)
        elif name == "sms_consent":
            fields.update({"sms_consent", "sms_consent_at"})
        elif name != "community":
            fields.add(name)
    return sorted(fields)


def _update_rows(residents: list[Resident], field_names: list[str]) -> None:
    """UPDATE resident SET f = %s, … WHERE id = %s for each resident, values prepared by their fields."""
    if not residents:
        return
    meta, quote = Resident._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in field_names]
    sql = "UPDATE {table} SET {columns} WHERE {pk} = %s".format(  # noqa: S608 — names from the model only
        table=quote(meta.db_table),
        columns=", ".join(f"{quote(field.column)} = %s" for field in fields),
        pk=quote(meta.pk.column),
    )
    params = [
        [field.get_db_prep_save(getattr(resident, field.attname), connection) for field in fields]
        + [resident.pk]
        for resident in residents
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def write_roster(
    *, community: Community, check: RosterCheck, user, on_written: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """(created, updated). Locks the residents it updates; must run inside a transaction."""
    now = timezone.now()
    creates = [row for row in check.rows if not row.resident_id]
    updates = [row for row in check.rows if row.resident_id]
    created = updated = 0
    for batch in _batches(creates):
        residents = []
        for row in batch:
            resident = Resident(community=community, created_by=user, created_at=now)
            _apply(resident, row, now)
            residents.append(resident)
        Resident.objects.bulk_create(residents, batch_size=BATCH)
        created += len(residents)
        if on_written:
            on_written(created)
    fields = update_fields(check.columns)
    for batch in _batches(updates):
        existing = Resident.objects.select_for_update().in_bulk([row.resident_id for row in batch])
        changed = []
        for row in batch:
            resident = existing.get(row.resident_id)
            if resident is None:  # deleted since the check: nothing to update
                continue
            _apply(resident, row, now)
            resident.updated_at = now
            changed.append(resident)
        _update_rows(changed, fields)
        updated += len(changed)
        if on_written:
            on_written(created + updated)
    return created, updated
