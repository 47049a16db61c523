"""What a community office hit importing its own rosters (issue 12): shared phones, ID numbers Excel
turned into numbers, formulas without values, duplicates, numbers the metadata does not know, stale
previews, and reasons in the reader's language."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from residents.models import Resident, RosterImport
from residents.rosters import report, services
from residents.rosters.checking import check_roster
from residents.rosters.reading import open_roster
from residents.rosters.services import roster_run
from tests.factories import ResidentFactory
from tests.residents.roster_files import csv_bytes, id_number, xlsx_bytes

pytestmark = pytest.mark.django_db


def check(community, content: bytes, name: str = "roster.csv", **kwargs):
    return check_roster(community=community, table=open_roster(content, name), **kwargs)


def kinds(result) -> dict[tuple[int, str], dict]:
    return {(entry["row"], entry["kind"]): entry for entry in result.report}


def preview(client, user, community, content: bytes, name: str = "花名册.csv") -> RosterImport:
    client.force_login(user)
    response = client.post(
        reverse("residents:roster_import"),
        {"community": community.pk, "file": _upload(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return RosterImport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def run(roster_import: RosterImport) -> None:
    assert roster_run(roster_import_id=roster_import.pk) == "done"


# --- B2 shared phones -----------------------------------------------------------------------------


def test_a_phone_shared_in_the_file_or_with_the_register_is_a_warning_naming_the_other(binxi, english):
    li = ResidentFactory(community=binxi, name="李秀英", phone="+8613912345678")
    rows = [
        {"姓名": "王玉枝", "手机号": "13812345678"},
        {"姓名": "王建国", "手机号": "138 1234 5678"},  # the same family phone, in the file
        {"姓名": "赵德柱", "手机号": "13912345678"},  # 李秀英's phone, in the register
    ]
    result = check(binxi, csv_bytes(rows))
    assert len(result.rows) == 3 and result.to_create == 3  # nobody refused
    in_file = kinds(result)[(3, report.SHARED_PHONE)]
    assert in_file["level"] == "warning" and "Row 2 (王玉枝) has the same phone" in in_file["reason"]
    registered = kinds(result)[(4, report.SHARED_PHONE)]
    assert "李秀英 already has this phone number" in registered["reason"] and registered["resident"] == li.pk
    assert report.error_rows(result.report) == set()


# --- B3 ID numbers Excel stored as numbers --------------------------------------------------------


def number_ids_workbook(count: int) -> bytes:
    rows = [
        {"姓名": f"居民{i}", "身份证号": 411102195601010000 + i, "手机号": f"1381234{i:04d}"}
        for i in range(count)
    ]
    rows.append({"姓名": "王玉枝", "身份证号": id_number("41110219560101002")})
    return xlsx_bytes(rows)


def test_id_numbers_stored_as_numbers_are_one_group_with_a_way_through(client, alice, binxi, english):
    roster_import = preview(client, alice, binxi, number_ids_workbook(30), "导出.xlsx")
    assert roster_import.valid_rows == 1
    page = client.get(reverse("residents:roster_import_detail", args=[roster_import.pk])).content.decode()
    assert page.count("Excel stored this column&#x27;s ID numbers as numbers") == 1  # said once, not 30 times
    assert page.count("<details") == 1 and "30 rows" in page
    assert 'id="import-without-ids"' in page and "Import 31 rows" in page

    response = client.post(
        reverse("residents:roster_import_confirm", args=[roster_import.pk]), {"ids_pending": "1"}
    )
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == "queued" and roster_import.ids_pending
    run(roster_import)
    pending = Resident.objects.filter(community=binxi, id_number_pending=True)
    assert pending.count() == 30 and not pending.exclude(id_number_hmac="").exists()
    assert not Resident.objects.get(name="王玉枝").id_number_pending
    one = pending.first()
    detail = client.get(reverse("residents:detail", args=[one.pk])).content.decode()
    assert "ID number to be completed" in detail

    # completing it later clears the mark
    client.post(
        reverse("residents:edit", args=[one.pk]),
        {"name": one.name, "id_number": id_number("11010519491231002")},
    )
    one.refresh_from_db()
    assert one.id_number_hmac and not one.id_number_pending


def test_without_the_way_through_those_rows_are_skipped(client, alice, binxi, english):
    roster_import = preview(client, alice, binxi, number_ids_workbook(3), "导出.xlsx")
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    run(roster_import)
    assert list(Resident.objects.filter(community=binxi).values_list("name", flat=True)) == ["王玉枝"]


# --- B4 formulas without a saved value ------------------------------------------------------------


def test_a_formula_without_a_saved_value_says_so(binxi, english):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "手机号"])
    sheet.append(["王玉枝", "13812345678"])
    sheet["A3"] = '=CONCATENATE("李","秀英")'  # openpyxl saves no result, as programs that export do
    sheet["B3"] = "13912345678"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(binxi, buffer.getvalue(), "导出.xlsx")
    reasons = [entry["reason"] for entry in result.report if entry["row"] == 3]
    assert reasons and "formula with no saved value" in reasons[0] and "save it" in reasons[0]
    assert not any("Enter the resident's name" in reason for reason in reasons)
    assert result.report[0]["kind"] == "formula_without_value" and len(result.rows) == 1


# --- B5 duplicates ---------------------------------------------------------------------------------


def test_same_name_and_phone_updates_and_same_name_alone_is_a_possible_duplicate(binxi, english):
    wang = ResidentFactory(community=binxi, name="王玉枝", phone="+8613812345678")
    li = ResidentFactory(community=binxi, name="李秀英", phone="+8613912345678")
    rows = [
        {"姓名": "王玉枝", "手机号": "13812345678", "小区": "冶金厂家属院"},  # updates wang
        {"姓名": "李秀英", "手机号": "13700001111"},  # a namesake: new, with a warning
    ]
    result = check(binxi, csv_bytes(rows))
    assert {row.values["name"]: row.resident_id for row in result.rows} == {"王玉枝": wang.pk, "李秀英": None}
    warning = kinds(result)[(3, report.POSSIBLE_DUPLICATE)]
    assert warning["level"] == "warning" and warning["resident"] == li.pk
    assert "Possible duplicate: 李秀英 is already registered" in warning["reason"]


def test_the_preview_links_a_possible_duplicate(client, alice, binxi, english):
    li = ResidentFactory(community=binxi, name="李秀英", phone="+8613912345678")
    roster_import = preview(client, alice, binxi, csv_bytes([{"姓名": "李秀英", "手机号": "13700001111"}]))
    page = client.get(reverse("residents:roster_import_detail", args=[roster_import.pk])).content.decode()
    assert reverse("residents:detail", args=[li.pk]) in page and "Possible duplicate" in page


def test_confirming_a_preview_older_than_the_register_checks_again_and_says_what_differs(
    client, alice, binxi, english, monkeypatch
):
    monkeypatch.setattr(services, "_queue", lambda pk, language: None)
    rows = [{"姓名": "王玉枝", "手机号": "13812345678"}, {"姓名": "李秀英", "手机号": "13912345678"}]
    roster_import = preview(client, alice, binxi, csv_bytes(rows))
    assert (roster_import.created_count, roster_import.updated_count) == (2, 0)
    ResidentFactory(community=binxi, name="李秀英", phone="+8613912345678")  # registered meanwhile
    url = reverse("residents:roster_import_confirm", args=[roster_import.pk])
    page = client.post(url, follow=True).content.decode()
    assert "The register changed since this preview" in page
    assert "1 new residents (the preview said 2)" in page and "1 to update (the preview said 0)" in page
    roster_import.refresh_from_db()
    assert roster_import.status == "previewed"
    assert (roster_import.created_count, roster_import.updated_count) == (1, 1)
    client.post(url)  # confirmed after reading the new preview
    roster_import.refresh_from_db()
    assert roster_import.status == "queued"


def test_a_register_change_that_changes_nothing_does_not_stop_the_import(
    client, alice, binxi, english, monkeypatch
):
    monkeypatch.setattr(services, "_queue", lambda pk, language: None)
    roster_import = preview(client, alice, binxi, csv_bytes([{"姓名": "王玉枝", "手机号": "13812345678"}]))
    ResidentFactory(community=binxi, name="赵德柱", phone="+8613787654321")
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == "queued"


# --- B6 numbers the metadata does not know --------------------------------------------------------


def test_a_149_number_is_imported_with_a_warning(binxi, english):
    result = check(
        binxi,
        csv_bytes([{"姓名": "王玉枝", "手机号": "14912345678"}, {"姓名": "张三", "手机号": "12345678901"}]),
    )
    assert [row.phone for row in result.rows] == ["+8614912345678"]
    assert kinds(result)[(2, report.PHONE_UNVERIFIED)]["level"] == "warning"
    assert report.error_rows(result.report) == {3}


# --- B7 the reasons in the reader's language -------------------------------------------------------


def test_the_report_is_shown_in_the_readers_language(client, alice, binxi):
    client.force_login(alice)
    rows = [{"姓名": "", "手机号": "13700000001"}, {"姓名": "赵四", "网格": "第九网格"}]
    roster_import = preview(client, alice, binxi, csv_bytes(rows))
    url = reverse("residents:roster_import_detail", args=[roster_import.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert (
        "There is no grid named 第九网格 in 滨西社区." in english
        and "Enter the resident&#x27;s name." in english
    )
    assert "请填写居民姓名" in chinese and "滨西社区没有名为“第九网格”的网格。" in chinese
    assert "There is no grid named" not in chinese
    report_csv = client.get(
        reverse("residents:roster_import_report", args=[roster_import.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "There is no grid named 第九网格 in 滨西社区." in report_csv.content.decode("utf-8-sig")
