"""An Excel round trip: text cells in, the same values stored, the same (masked) text out — no floats."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from residents.idnumbers import mask_id_number
from residents.models import Resident, RosterImport
from residents.phones import mask_phone
from residents.rosters.services import roster_run
from tests.factories import GridFactory
from tests.residents.roster_files import HEADERS, id_number, xlsx_bytes

IDS = [id_number("41110219560101002"), id_number("11010119900307837"), id_number("44030119851231123")]
ROWS = [
    {
        "姓名": "王玉枝",
        "手机号": "13812345678",
        "身份证号": IDS[0],
        "小区": "冶金厂家属院",
        "楼栋": "3",
        "单元": "2",
        "房号": "0501",
        "网格": "第一网格",
        "独居老人": "是",
        "短信同意": "是",
    },
    {"姓名": "曾晓燕", "手机号": "19912345678", "身份证号": IDS[1], "房号": "1-2", "备注": "=1+1"},
    {"姓名": "李秀英", "手机号": "0395-1234567", "身份证号": IDS[2], "联系人": "李强", "与居民关系": "儿子"},
]


@pytest.mark.django_db
def test_xlsx_round_trip_keeps_ids_and_phones_as_text(
    client, alice, binxi, django_capture_on_commit_callbacks
):
    GridFactory(community=binxi, name="第一网格")
    client.force_login(alice)
    response = client.post(
        reverse("residents:roster_import"),
        {"community": binxi.pk, "file": SimpleUploadedFile("花名册.xlsx", xlsx_bytes(ROWS))},
    )
    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    assert roster_import.report == [] and roster_import.valid_rows == 3
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    assert roster_run(roster_import_id=roster_import.pk) == "done"

    stored = {resident.name: resident for resident in Resident.objects.filter(community=binxi)}
    assert [stored[row["姓名"]].id_number() for row in ROWS] == IDS
    assert [stored[row["姓名"]].phone for row in ROWS] == [
        "+8613812345678",
        "+8619912345678",
        "+863951234567",
    ]
    assert (
        stored["王玉枝"].room == "0501"
        and stored["曾晓燕"].room == "1-2"
        and stored["曾晓燕"].notes == "=1+1"
    )

    export = client.get(reverse("residents:roster_export"), {"community": binxi.pk, "download": "xlsx"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == ["社区", *HEADERS]
    by_name = {}
    for cells in sheet.iter_rows(min_row=2):
        assert all(cell.data_type == "s" for cell in cells if cell.value is not None), "every cell is text"
        by_name[cells[1].value] = {header[i]: cell.value for i, cell in enumerate(cells)}
    for row in ROWS:
        got = by_name[row["姓名"]]
        assert got["身份证号"] == mask_id_number(row["身份证号"])  # the ID as text, never a float, masked
        assert got["手机号"] == mask_phone(stored[row["姓名"]].phone)
        for header_name in ("小区", "楼栋", "单元", "房号", "网格", "联系人", "与居民关系", "备注"):
            assert (got[header_name] or "") == row.get(header_name, ""), header_name
    assert by_name["王玉枝"]["独居老人"] == "是" and by_name["曾晓燕"]["独居老人"] == "否"
    assert by_name["王玉枝"]["手机号"] == "138****5678"


@pytest.mark.django_db
def test_an_id_stored_as_a_float_is_reported_not_mangled(client, alice, binxi):
    client.force_login(alice)
    rows = [{"姓名": "王玉枝", "手机号": "13812345678", "身份证号": float(IDS[0][:15] + "000")}]
    client.post(
        reverse("residents:roster_import"),
        {"community": binxi.pk, "file": SimpleUploadedFile("花名册.xlsx", xlsx_bytes(rows))},
    )
    roster_import = RosterImport.objects.get()
    assert roster_import.valid_rows == 0
    [entry] = roster_import.report
    assert (entry["row"], entry["column"]) == (2, "身份证号")
    assert "15" in entry["reason"]
    assert not Resident.objects.exists()
