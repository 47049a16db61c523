"""Roster import actions: upload → preview, confirm, discard, and the run a Celery worker does.

Nothing is written to residents until a supervisor confirms. The run then happens in two steps:

1. *checking* — outside any transaction: the stored file is read again and every row checked against
   the database as it is now (and its pinyin and encrypted ID prepared), in chunks; after each chunk
   `processed_rows` is saved with an UPDATE that commits at once, so the progress bar moves on every
   database (SQLite has one writer: a second connection could not write while the import holds it).
2. *writing* — ONE transaction: all valid rows, the access-log entry and the final status, or nothing.
   Its progress cannot go to the database (nobody sees it before the commit), so it goes to the
   cache when the cache is Redis; with the database cache the bar just says "writing".
"""

import logging
from datetime import timedelta
from functools import partial

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from residents.models import AccessLog, Community, Resident, RosterImport, violates_id_number_unique
from residents.rosters.checking import RosterCheck, check_roster
from residents.rosters.reading import RosterFileError, open_roster
from residents.rosters.report import rescuable_rows
from residents.rosters.writing import write_roster

logger = logging.getLogger(__name__)
Status = RosterImport.Status


class RosterActionError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def roster_preview(*, user, community: Community, file_name: str, content: bytes) -> RosterImport:
    """Check the file and keep it (in the database, for a worker on another machine) with its report.

    Raises RosterFileError, and stores nothing, when the file as a whole cannot be read.
    """
    check = check_roster(community=community, table=open_roster(content, file_name))
    return RosterImport.objects.create(
        community=community,
        uploaded_by=user,
        file_name=file_name[:200],
        content=content,
        status=Status.PREVIEWED,
        total_rows=check.total_rows,
        valid_rows=len(check.rows),
        # Until the run, these say what the preview expects; afterwards, what was done.
        created_count=check.to_create,
        updated_count=check.to_update,
        report=check.report,
    )


# A queued import not started by then is sent again; a running one not finished by then lost its
# worker (the task's hard time limit is 660 s): its transaction rolled back, so it failed whole.
RESEND_QUEUED_AFTER = timedelta(minutes=2)
FAIL_RUNNING_AFTER = timedelta(minutes=15)
# Checks and writes in one run: another only when the database refused an ID number registered
# between the check and the write (ID_NUMBER_UNIQUE), and only while the run is young enough to
# finish another well within the task's time limit (soft 600 s): a late refusal fails the import
# with its real cause, not a worker killed mid-write.
WRITE_ATTEMPTS = 3
RETRY_WITHIN = timedelta(seconds=150)


def _queue(roster_import_id: int, language: str = "") -> None:
    """Send the import to a worker. A broker outage must not fail the page that confirmed it: the
    import stays queued and the sweep sends it again."""
    from residents.tasks import import_roster

    try:
        import_roster.delay(roster_import_id, language)
    except Exception:
        logger.warning("roster import %s could not be queued; the sweep will send it again", roster_import_id)


class RosterChanged(RosterActionError):
    """The register changed since the preview, and so did what the import would do: the preview was
    checked again (its report and counts are new); nothing is queued."""


def _register_changed_since(roster_import: RosterImport) -> bool:
    last = Resident.objects.filter(community_id=roster_import.community_id).aggregate(last=Max("updated_at"))
    return last["last"] is not None and last["last"] >= roster_import.created_at


def _expected(roster_import: RosterImport) -> dict:
    return {
        "valid": roster_import.valid_rows,
        "create": roster_import.created_count,
        "update": roster_import.updated_count,
        "report": [
            (entry["row"], entry.get("column"), entry.get("message", entry.get("reason")))
            for entry in roster_import.report or []
        ],
    }


def _recheck(roster_import: RosterImport) -> str:
    """Check the stored file again against the register as it is now; '' when the import would do
    what the preview said, else what differs (and the preview now says the new)."""
    before = _expected(roster_import)
    content = RosterImport.objects.filter(pk=roster_import.pk).values_list("content", flat=True).first()
    check = check_roster(
        community=roster_import.community, table=open_roster(bytes(content or b""), roster_import.file_name)
    )
    fresh = {
        "valid_rows": len(check.rows),
        "created_count": check.to_create,
        "updated_count": check.to_update,
        "report": check.report,
    }
    for field, value in fresh.items():
        setattr(roster_import, field, value)
    after = _expected(roster_import)
    RosterImport.objects.filter(pk=roster_import.pk, status=Status.PREVIEWED).update(
        **fresh, total_rows=check.total_rows, created_at=timezone.now()
    )
    if after == before:
        return ""
    differences = []
    if after["create"] != before["create"]:
        differences.append(
            _("%(now)s new residents (the preview said %(then)s)")
            % {"now": after["create"], "then": before["create"]}
        )
    if after["update"] != before["update"]:
        differences.append(
            _("%(now)s to update (the preview said %(then)s)")
            % {"now": after["update"], "then": before["update"]}
        )
    if after["valid"] != before["valid"]:
        differences.append(
            _("%(now)s valid rows (the preview said %(then)s)")
            % {"now": after["valid"], "then": before["valid"]}
        )
    if after["report"] != before["report"]:
        differences.append(
            _("%(now)s problems and warnings (the preview said %(then)s)")
            % {"now": len(after["report"]), "then": len(before["report"])}
        )
    return "; ".join(differences) or str(_("other findings"))


def roster_confirm(*, user, roster_import: RosterImport, language: str, ids_pending: bool = False) -> bool:
    """Queue the import once: a conditional UPDATE previewed → queued, the task sent after commit.

    `ids_pending`: also import the rows whose ID numbers Excel stored as numbers, without them.
    A preview older than the register's last change is checked again first; when the import would
    now do something else, RosterChanged says what, and nothing is queued.
    False when it was already confirmed (a second click, a second tab): nothing more is queued.
    """
    if roster_import.uploaded_by_id != user.pk:
        raise RosterActionError(_("Only the person who uploaded this roster can confirm it."))
    if roster_import.status == Status.PREVIEWED and _register_changed_since(roster_import):
        differences = _recheck(roster_import)
        if differences:
            raise RosterChanged(
                _(
                    "The register changed since this preview, and so did the import: %(what)s. "
                    "Check the preview again, then confirm."
                )
                % {"what": differences}
            )
    rescued = len(rescuable_rows(roster_import.report or [])) if ids_pending else 0
    if roster_import.valid_rows + rescued == 0:
        raise RosterActionError(_("This file has no valid rows to import."))
    with transaction.atomic():
        claimed = RosterImport.objects.filter(pk=roster_import.pk, status=Status.PREVIEWED).update(
            status=Status.QUEUED, status_changed_at=timezone.now(), ids_pending=bool(rescued)
        )
        if claimed != 1:
            return False
        transaction.on_commit(lambda: _queue(roster_import.pk, language))
    return True


def roster_discard(*, user, roster_import: RosterImport) -> None:
    """Delete an unconfirmed upload, and the personal data in its file, for good."""
    if roster_import.uploaded_by_id != user.pk:
        raise RosterActionError(_("Only the person who uploaded this roster can discard it."))
    deleted, _detail = RosterImport.objects.filter(pk=roster_import.pk, status=Status.PREVIEWED).delete()
    if not deleted:
        raise RosterActionError(_("This roster is already being imported and cannot be discarded."))


# --- the run ------------------------------------------------------------------------------------


def _written_key(roster_import_id: int) -> str:
    return f"roster-import:{roster_import_id}:written"


def _cache_outside_database() -> bool:
    return not isinstance(caches["default"], DatabaseCache)


def written_so_far(roster_import: RosterImport) -> int | None:
    """Rows written by the running transaction, when the cache can tell (Redis); None otherwise."""
    if roster_import.status != Status.RUNNING or not _cache_outside_database():
        return None
    try:
        return caches["default"].get(_written_key(roster_import.pk))
    except Exception:  # the bar is a nicety: a cache outage must not break the page
        logger.warning("cache unavailable for roster import %s progress", roster_import.pk)
        return None


def _note_written(roster_import_id: int, count: int | None) -> None:
    """Best effort: a cache outage must never fail the import whose progress it shows."""
    try:
        if count is None:
            caches["default"].delete(_written_key(roster_import_id))
        else:
            caches["default"].set(_written_key(roster_import_id), count, timeout=3600)
    except Exception:
        logger.warning("cache unavailable for roster import %s progress", roster_import_id)


def _fail(roster_import_id: int, message: str) -> None:
    RosterImport.objects.filter(pk=roster_import_id).update(
        status=Status.FAILED, error=message, content=b"", finished_at=timezone.now()
    )


def _write(roster_import: RosterImport, check: RosterCheck) -> None:
    """Every valid row, the access-log entry and the final status in ONE transaction, or nothing."""
    on_written = partial(_note_written, roster_import.pk) if _cache_outside_database() else None
    with transaction.atomic():
        created, updated = write_roster(
            community=roster_import.community,
            check=check,
            user=roster_import.uploaded_by,
            on_written=on_written,
        )
        AccessLog.objects.create(
            actor=roster_import.uploaded_by,
            community=roster_import.community,
            action=AccessLog.Action.IMPORT,
            detail=_("Roster %(file)s: %(created)s added, %(updated)s updated")
            % {"file": roster_import.file_name[:120], "created": created, "updated": updated},
            filters={
                "roster_import": roster_import.pk,
                "rows": check.total_rows,
                "skipped": check.total_rows - len(check.rows),
            },
            row_count=created + updated,
        )
        RosterImport.objects.filter(pk=roster_import.pk).update(
            status=Status.DONE,
            valid_rows=len(check.rows),
            created_count=created,
            updated_count=updated,
            report=check.report,
            content=b"",  # the file's personal data is not kept once it is imported
            error="",
            finished_at=timezone.now(),
        )


def roster_run(*, roster_import_id: int) -> str:
    """Check again and write every valid row in one transaction. Returns the final status.

    The check runs against the database as it is just before the write; should someone register one
    of the file's ID numbers in between, the database refuses the write (ID_NUMBER_UNIQUE), nothing
    is written, and the file is checked and written again (WRITE_ATTEMPTS), so the report says what
    became of that row rather than the whole import failing.
    """
    claimed = RosterImport.objects.filter(pk=roster_import_id, status=Status.QUEUED).update(
        status=Status.RUNNING, processed_rows=0, status_changed_at=timezone.now()
    )
    if claimed != 1:  # a redelivered task, or one already done: never import twice
        return "skipped"
    roster_import = RosterImport.objects.select_related("community", "uploaded_by").get(pk=roster_import_id)
    running = RosterImport.objects.filter(pk=roster_import_id, status=Status.RUNNING)
    started = timezone.now()
    try:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            check = check_roster(
                community=roster_import.community,
                table=open_roster(bytes(roster_import.content), roster_import.file_name),  # read once each
                ids_pending=roster_import.ids_pending,
                prepare_rows=True,
                on_progress=lambda done: running.update(processed_rows=done),
            )
            running.update(
                processed_rows=check.total_rows, total_rows=check.total_rows, valid_rows=len(check.rows)
            )
            try:
                _write(roster_import, check)
            except IntegrityError as error:
                if not violates_id_number_unique(error):
                    raise
                if attempt == WRITE_ATTEMPTS or timezone.now() - started > RETRY_WITHIN:
                    message = _(
                        "Residents with this file's ID numbers were being registered while it was "
                        "imported, so nothing was written. Upload it again to see what is new."
                    )
                    _fail(roster_import_id, message)
                    return Status.FAILED.value
                logger.info(
                    "roster import %s: an ID number was registered meanwhile; checking again",
                    roster_import_id,
                )
            else:
                return Status.DONE.value
    except RosterFileError as exc:
        _fail(roster_import_id, str(exc.message))
    except Exception:
        logger.exception("roster import %s failed", roster_import_id)
        _fail(roster_import_id, _("The import stopped with an unexpected error; nothing was written."))
    finally:
        if _cache_outside_database():
            _note_written(roster_import_id, None)
    return Status.FAILED.value


def roster_imports_sweep(*, now=None) -> dict:
    """Send again the imports whose queueing was lost (a broker outage at confirm), and fail those
    whose worker died mid-run (nothing of them was written: one transaction). Idempotent."""
    now = now or timezone.now()
    since = Coalesce("status_changed_at", "created_at")
    stale_queued = list(
        RosterImport.objects.alias(since=since)
        .filter(status=Status.QUEUED, since__lt=now - RESEND_QUEUED_AFTER)
        .values_list("pk", flat=True)
    )
    for pk in stale_queued:
        RosterImport.objects.filter(pk=pk, status=Status.QUEUED).update(status_changed_at=now)
        _queue(pk)
    failed = (
        RosterImport.objects.alias(since=since)
        .filter(status=Status.RUNNING, since__lt=now - FAIL_RUNNING_AFTER)
        .update(
            status=Status.FAILED,
            error=_("The import stopped when its worker was lost; nothing was written. Please upload again."),
            content=b"",
            finished_at=now,
        )
    )
    return {"resent": len(stale_queued), "failed": failed}
