"""Building, unit and room are stored in one form whichever way they are written (issue 12)."""

import pytest
from django.urls import reverse
from django.utils import translation

from residents.addresses import (
    address_text,
    chinese_number,
    normalize_building,
    normalize_room,
    normalize_unit,
)
from residents.models import Resident, RosterImport
from residents.rosters.services import roster_preview, roster_run
from tests.residents.roster_files import csv_bytes, xlsx_bytes


@pytest.mark.parametrize(
    "written",
    ["9", "9号楼", "9栋", "9幢", "9号", "九号楼", "第9栋", "9#", "9#楼", "９号楼", " 9 号楼 ", "九"],
)
def test_a_building_is_stored_as_its_number(written):
    assert normalize_building(written) == "9"


@pytest.mark.parametrize(
    ("written", "stored"), [("2", "2"), ("2单元", "2"), ("二单元", "2"), ("第2单元", "2")]
)
def test_a_unit_is_stored_as_its_number(written, stored):
    assert normalize_unit(written) == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [("504", "504"), ("504室", "504"), ("504号", "504"), ("0501", "0501"), ("五零四", "504")],
)
def test_a_room_is_stored_as_its_number(written, stored):
    assert normalize_room(written) == stored


@pytest.mark.parametrize("written", ["A座", "东配楼", "3-1", ""])
def test_what_is_not_a_number_is_kept_as_written(written):
    assert normalize_building(written) == written


@pytest.mark.parametrize(
    ("text", "value"), [("九", 9), ("十", 10), ("十二", 12), ("二十一", 21), ("一百零一", 101)]
)
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


def test_the_address_puts_the_words_back_once():
    with translation.override("zh-hans"):
        assert (
            address_text(compound="冶金厂家属院", building="9", unit="2", room="504")
            == "冶金厂家属院 9号楼 2单元 504室"
        )
        assert address_text(building="A座", room="504") == "A座 504室"
    with translation.override("en"):
        assert address_text(building="9", unit="2", room="504") == "Building 9 Unit 2 Room 504"


ROWS = [
    {"姓名": "王玉枝", "小区": "冶金厂家属院", "楼栋": "9号楼", "单元": "2单元", "房号": "504室"},
    {"姓名": "李秀英", "小区": "冶金厂家属院", "楼栋": "九号楼", "单元": "2", "房号": "504"},
    {"姓名": "赵德柱", "小区": "冶金厂家属院", "楼栋": "9栋", "单元": "二单元", "房号": "504号"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_an_imported_address_is_stored_once_and_shown_as_previewed(client, alice, binxi, make):
    """Before: 9号楼 / 2单元 / 504室 became 9号楼号楼 2单元单元 504室."""
    client.force_login(alice)
    roster = roster_preview(
        user=alice,
        community=binxi,
        file_name="名册." + ("xlsx" if make is xlsx_bytes else "csv"),
        content=make(ROWS),
    )
    preview = client.get(
        reverse("residents:roster_import_detail", args=[roster.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    shown = preview.content.decode()
    assert shown.count("冶金厂家属院 9号楼 2单元 504室") == 3 and "号楼号楼" not in shown
    RosterImport.objects.filter(pk=roster.pk).update(status="queued")
    assert roster_run(roster_import_id=roster.pk) == "done"
    stored = set(Resident.objects.filter(community=binxi).values_list("building", "unit", "room"))
    assert stored == {("9", "2", "504")}
    wang = Resident.objects.get(name="王玉枝")
    page = client.get(
        reverse("residents:detail", args=[wang.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "冶金厂家属院 9号楼 2单元 504室" in page


@pytest.mark.django_db
def test_the_resident_form_stores_the_same_form(client, alice, binxi):
    client.force_login(alice)
    response = client.post(
        reverse("residents:create"), {"name": "王玉枝", "building": "9栋", "unit": "2单元", "room": "504室"}
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    wang = Resident.objects.get(name="王玉枝")
    assert (wang.building, wang.unit, wang.room) == ("9", "2", "504")
