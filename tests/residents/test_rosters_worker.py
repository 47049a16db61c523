"""A confirmed roster is imported by a real Celery worker, once, with its progress outside the write."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.urls import reverse

from residents.models import AccessLog, Resident, RosterImport
from residents.rosters import services
from tests.factories import GridFactory
from tests.residents.roster_files import csv_bytes, id_number

pytestmark = pytest.mark.worker

ROWS = [
    {
        "姓名": f"居民{n:03d}",
        "手机号": f"1380000{n:04d}",
        "网格": "第一网格",
        "身份证号": id_number(f"41110219560101{n:03d}") if n % 2 else "",
    }
    for n in range(120)
] + [{"姓名": "", "手机号": "13900000000"}]


def wait_until_finished(pk: int, timeout: float = 60) -> RosterImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        roster_import = RosterImport.objects.get(pk=pk)
        if roster_import.status in ("done", "failed"):
            return roster_import
        time.sleep(0.2)
    raise AssertionError(f"the import is still {roster_import.status} after {timeout}s")


def upload_and_preview(client, alice, binxi) -> RosterImport:
    client.force_login(alice)
    response = client.post(
        reverse("residents:roster_import"),
        {"community": binxi.pk, "file": SimpleUploadedFile("花名册.csv", csv_bytes(ROWS))},
    )
    assert response.status_code == 302
    return RosterImport.objects.latest("created_at")


@pytest.mark.django_db(transaction=True)
def test_worker_imports_the_confirmed_roster_once(celery_worker, client, alice, binxi):
    GridFactory(community=binxi, name="第一网格")
    roster_import = upload_and_preview(client, alice, binxi)
    assert (roster_import.total_rows, roster_import.valid_rows) == (121, 120)
    assert Resident.objects.count() == 0

    confirm = reverse("residents:roster_import_confirm", args=[roster_import.pk])
    assert client.post(confirm).status_code == 302
    assert client.post(confirm).status_code == 302  # a double click queues nothing more
    services._queue(roster_import.pk, "en")  # and a duplicated message is skipped by the worker

    finished = wait_until_finished(roster_import.pk)
    assert finished.status == "done", (finished.error, celery_worker.log()[-3000:])
    assert finished.processed_rows == finished.total_rows == 121
    assert (finished.created_count, finished.updated_count) == (120, 0)
    assert Resident.objects.filter(community=binxi).count() == 120
    assert Resident.objects.exclude(id_number_hmac="").count() == 60
    assert AccessLog.objects.filter(action="import").count() == 1
    time.sleep(1)  # give a duplicated task time to (not) run
    assert Resident.objects.count() == 120 and AccessLog.objects.filter(action="import").count() == 1
    assert "residents.import_roster" in celery_worker.log()

    page = client.get(reverse("residents:roster_import_detail", args=[roster_import.pk]))
    assert "120" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_checking_progress_is_committed_before_the_write_transaction(client, alice, binxi, monkeypatch):
    """Another connection (the page polling the bar) sees the progress while the import transaction runs."""
    GridFactory(community=binxi, name="第一网格")
    roster_import = upload_and_preview(client, alice, binxi)
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    seen: dict = {}
    real_write = services.write_roster
    monkeypatch.setattr(
        services.check_roster.__globals__["check_roster"], "__defaults__", None, raising=False
    )

    def spying_write(**kwargs):
        assert transaction.get_connection().in_atomic_block
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT status, processed_rows, total_rows FROM residents_rosterimport WHERE id = %s",
                    [roster_import.pk],
                )
                seen["outside"] = cursor.fetchone()
                cursor.execute("SELECT COUNT(*) FROM residents_resident")
                seen["residents_before"] = cursor.fetchone()[0]
        finally:
            other.close()
        return real_write(**kwargs)

    monkeypatch.setattr(services, "write_roster", spying_write)
    assert services.roster_run(roster_import_id=roster_import.pk) == "done"
    assert seen["outside"] == ("running", 121, 121)
    assert seen["residents_before"] == 0
