"""A roster import and the database's one-ID-number-per-community rule: what could break it is reported
row by row in the preview, and a confirmed import never dies on it."""

import datetime as dt

import pytest
from django.db import IntegrityError

from residents.idnumbers import fingerprint
from residents.models import ID_NUMBER_UNIQUE, Resident, RosterImport
from residents.rosters import services
from residents.rosters.services import roster_run
from tests.factories import ResidentFactory
from tests.residents.roster_files import id_number
from tests.residents.test_rosters_views import preview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ID_A = id_number("41110219560101002")
ID_B = id_number("41110219800215003")


def shown(report: list[dict]) -> list[dict]:
    """Row, column and reason: what the report says (its other keys translate and group it)."""
    return [{key: entry[key] for key in ("row", "column", "reason")} for entry in report]


def confirmed(roster_import: RosterImport) -> int:
    RosterImport.objects.filter(pk=roster_import.pk).update(status="queued")
    return roster_import.pk


def holders(id_number: str) -> list[str]:
    return list(Resident.objects.filter(id_number_hmac=fingerprint(id_number)).values_list("name", flat=True))


def test_two_rows_with_one_id_number_are_reported_and_the_rest_is_imported(client, alice, binxi):
    rows = [
        {"姓名": "王玉枝", "手机号": "13812345678", "身份证号": ID_A},
        {"姓名": "王玉芝", "手机号": "13812340000", "身份证号": ID_A},  # row 3: a typo'd twin
        {"姓名": "李秀英", "身份证号": ID_B},
    ]
    roster_import = preview(client, alice, binxi, rows)
    assert shown(roster_import.report) == [
        {"row": 3, "column": "身份证号", "reason": "Same ID number as row 2."}
    ]
    assert (roster_import.total_rows, roster_import.valid_rows, roster_import.created_count) == (3, 2, 2)

    assert roster_run(roster_import_id=confirmed(roster_import)) == "done"
    roster_import.refresh_from_db()
    assert (roster_import.created_count, roster_import.updated_count) == (2, 0)
    assert shown(roster_import.report) == [
        {"row": 3, "column": "身份证号", "reason": "Same ID number as row 2."}
    ]
    assert holders(ID_A) == ["王玉枝"] and holders(ID_B) == ["李秀英"]


def test_an_id_number_registered_between_check_and_write_is_checked_again_not_fatal(
    client, alice, binxi, monkeypatch
):
    """The worker checks outside the write transaction; a resident added with one of the file's ID
    numbers in between makes the database refuse the write, and the second check updates that resident."""
    roster_import = preview(
        client, alice, binxi, [{"姓名": "王玉枝", "手机号": "13812345678", "身份证号": ID_A}]
    )
    assert roster_import.created_count == 1
    real_check, checks = services.check_roster, []

    def check_then_someone_registers(**kwargs):
        result = real_check(**kwargs)
        checks.append(result)
        if len(checks) == 1:
            meanwhile = ResidentFactory(community=binxi, name="王玉枝", phone="")
            meanwhile.set_id_number(ID_A)
            meanwhile.save()
        return result

    monkeypatch.setattr(services, "check_roster", check_then_someone_registers)
    assert roster_run(roster_import_id=confirmed(roster_import)) == "done"
    assert [(c.to_create, c.to_update) for c in checks] == [(1, 0), (0, 1)]
    roster_import.refresh_from_db()
    assert (roster_import.created_count, roster_import.updated_count, roster_import.error) == (0, 1, "")
    assert holders(ID_A) == ["王玉枝"]
    assert Resident.objects.get(id_number_hmac=fingerprint(ID_A)).phone == "+8613812345678"


@pytest.fixture
def refused_writes(monkeypatch) -> list:
    """Every write refused by ID_NUMBER_UNIQUE (someone keeps registering the file's ID numbers);
    the list counts the attempts."""
    attempts = []

    def refused(*args, **kwargs):
        attempts.append(1)
        raise IntegrityError(f'duplicate key value violates unique constraint "{ID_NUMBER_UNIQUE}"')

    monkeypatch.setattr(services, "_write", refused)
    return attempts


def test_a_refusal_every_time_fails_the_import_with_nothing_written(client, alice, binxi, refused_writes):
    roster_import = preview(client, alice, binxi, [{"姓名": "王玉枝", "身份证号": ID_A}])
    attempts = refused_writes
    assert roster_run(roster_import_id=confirmed(roster_import)) == "failed"
    assert len(attempts) == services.WRITE_ATTEMPTS
    roster_import.refresh_from_db()
    assert (
        roster_import.status == "failed" and "being registered while it was imported" in roster_import.error
    )
    assert not Resident.objects.exists()


def test_a_refusal_late_in_a_long_run_is_not_retried(client, alice, binxi, refused_writes, monkeypatch):
    """Another check and write must fit in the task's time limit: past RETRY_WITHIN, the import
    fails with its cause instead of a worker killed mid-write."""
    roster_import = preview(client, alice, binxi, [{"姓名": "王玉枝", "身份证号": ID_A}])
    attempts = refused_writes
    monkeypatch.setattr(services, "RETRY_WITHIN", dt.timedelta(seconds=-1))  # already late
    assert roster_run(roster_import_id=confirmed(roster_import)) == "failed"
    assert len(attempts) == 1
    roster_import.refresh_from_db()
    assert "being registered while it was imported" in roster_import.error


def test_another_integrity_error_is_not_retried(client, alice, binxi, monkeypatch):
    roster_import = preview(client, alice, binxi, [{"姓名": "王玉枝", "身份证号": ID_A}])
    attempts = []

    def refused(*args, **kwargs):
        attempts.append(1)
        raise IntegrityError("NOT NULL constraint failed: residents_resident.name")

    monkeypatch.setattr(services, "_write", refused)
    assert roster_run(roster_import_id=confirmed(roster_import)) == "failed"
    assert len(attempts) == 1


def test_an_id_number_an_anonymised_resident_still_holds_is_reported_in_the_preview(client, alice, binxi):
    """Anonymising clears the ID number; should one have been set again afterwards (e.g. in the admin),
    the preview says so instead of the confirmed import failing on the constraint."""
    ghost = ResidentFactory(community=binxi, name="已匿名居民", phone="")
    ghost.set_id_number(ID_A)
    ghost.save()
    Resident.objects.filter(pk=ghost.pk).update(anonymised_at="2026-01-01T00:00:00Z")
    rows = [{"姓名": "王玉枝", "身份证号": ID_A}, {"姓名": "李秀英", "身份证号": ID_B}]
    roster_import = preview(client, alice, binxi, rows)
    assert shown(roster_import.report) == [
        {
            "row": 2,
            "column": "身份证号",
            "reason": (
                "An anonymised resident still has this ID number, so this row cannot be imported. "
                "Tell an administrator."
            ),
        }
    ]
    assert roster_run(roster_import_id=confirmed(roster_import)) == "done"
    assert holders(ID_A) == ["已匿名居民"] and holders(ID_B) == ["李秀英"]


def test_an_id_number_of_another_community_is_no_conflict(client, alice, binxi, bindong):
    elsewhere = ResidentFactory(community=bindong, name="王玉枝")
    elsewhere.set_id_number(ID_A)
    elsewhere.save()
    roster_import = preview(client, alice, binxi, [{"姓名": "王玉枝", "身份证号": ID_A}])
    assert roster_import.report == [] and roster_import.created_count == 1
    assert roster_run(roster_import_id=confirmed(roster_import)) == "done"
    assert sorted(
        Resident.objects.filter(id_number_hmac=fingerprint(ID_A)).values_list("community__code", flat=True)
    ) == [
        "BD",
        "BX",
    ]
