"""One writer per resident: the form, the admin and the roster import write through residents.services,
so pinyin readings, consent dates and the ID number's encryption are one rule, with one field list."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from residents import idnumbers, services
from residents.admin import ResidentAdminForm
from residents.forms import ResidentForm
from residents.models import Resident, RosterImport
from residents.rosters.columns import COLUMNS
from residents.rosters.services import roster_preview, roster_run
from tests.residents.roster_files import csv_bytes, id_number

ID = id_number("41110219560101002")
WRITTEN = ("name_pinyin", "sms_consent", "id_number_hmac", "id_number_masked", "birth_date", "phone")


def written(resident: Resident) -> dict:
    resident.refresh_from_db()
    values = {field: getattr(resident, field) for field in WRITTEN}
    values["sms_consent_dated"] = resident.sms_consent_at is not None
    values["id_number"] = resident.id_number()
    return values


@pytest.mark.django_db
def test_form_admin_and_roster_write_the_same_resident(client, admin_client, alice, binxi):
    """曾 has two readings; a consent given is dated; the ID number is encrypted, fingerprinted,
    masked and gives the date of birth — the same whichever way the resident came in."""
    client.force_login(alice)
    response = client.post(
        reverse("residents:create"),
        {"name": "曾国强", "phone": "13812345678", "id_number": ID, "sms_consent": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    by_form = Resident.objects.get(name="曾国强")
    by_form_values = written(by_form)
    by_form.delete()

    response = admin_client.post(
        reverse("admin:residents_resident_add"),
        {
            "community": binxi.pk,
            "name": "曾国强",
            "new_phone": "13812345678",
            "new_id_number": ID,
            "sms_consent": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    by_admin = Resident.objects.get(name="曾国强")
    assert written(by_admin) == by_form_values
    by_admin.delete()

    roster = roster_preview(
        user=alice,
        community=binxi,
        file_name="名册.csv",
        content=csv_bytes([{"姓名": "曾国强", "手机号": "13812345678", "身份证号": ID, "短信同意": "是"}]),
    )
    RosterImport.objects.filter(pk=roster.pk).update(status="queued")
    assert roster_run(roster_import_id=roster.pk) == "done"
    assert written(Resident.objects.get(name="曾国强")) == by_form_values
    assert "zengguoqiang" in by_form_values["name_pinyin"] and "cengguoqiang" in by_form_values["name_pinyin"]
    assert by_form_values["id_number"] == ID and by_form_values["id_number_hmac"] == idnumbers.fingerprint(ID)
    assert by_form_values["sms_consent_dated"] and by_form_values["birth_date"].year == 1956


@pytest.mark.django_db
def test_an_admin_rename_rereads_the_pinyin_and_dates_a_changed_consent(admin_client, binxi):
    resident = Resident.objects.create(community=binxi, name="王玉枝", name_pinyin="wangyuzhi wyz")
    response = admin_client.post(
        reverse("admin:residents_resident_change", args=[resident.pk]),
        {
            "community": binxi.pk,
            "name": "单秀英",
            "health_consent": "on",
            "new_phone": "",
            "new_id_number": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    resident.refresh_from_db()
    assert "shanxiuying" in resident.name_pinyin and "danxiuying" in resident.name_pinyin
    assert resident.health_consent and resident.health_consent_at is not None
    assert resident.sms_consent_at is None  # unchanged consents keep their (empty) date


def test_the_resident_field_list_lives_in_one_place():
    assert list(ResidentForm.Meta.fields) == list(services.EDITABLE_FIELDS)
    assert list(ResidentAdminForm.Meta.fields) == ["community", *services.EDITABLE_FIELDS]
    roster_fields = {column.field for column in COLUMNS} - {"phone", "id_number"}
    assert roster_fields <= set(services.EDITABLE_FIELDS)


def _calls(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


@pytest.mark.parametrize(
    "module", ["residents/admin.py", "residents/forms.py", "residents/rosters/writing.py"]
)
def test_writers_leave_the_rules_to_the_service(module):
    """Neither the admin, the form nor the import reads pinyin, encrypts an ID or dates a consent itself."""
    calls = _calls(Path(settings.BASE_DIR) / module)
    assert not calls & {"name_readings", "set_id_number", "encrypt", "mask_id_number"}
