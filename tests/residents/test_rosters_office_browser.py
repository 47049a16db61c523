"""Issue 12 in Chromium: an office's roster with every case — address words, a family phone, a
namesake, an update, a 149 number, ID numbers Excel turned into numbers, a formula without a value —
previewed (grouped, collapsible), confirmed with the way through, and the resident page's address."""

import io

import pytest
from openpyxl import load_workbook

from residents.models import Resident, RosterImport
from residents.rosters import services
from residents.rosters.services import roster_run
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD, ResidentFactory
from tests.residents.roster_files import HEADERS, xlsx_bytes

ROWS = [
    {
        "姓名": "王玉枝",
        "手机号": "13812345678",
        "小区": "冶金厂家属院",
        "楼栋": "9号楼",
        "单元": "2单元",
        "房号": "504室",
    },
    {
        "姓名": "王建国",
        "手机号": "13812345678",
        "小区": "冶金厂家属院",
        "楼栋": "九号楼",
        "单元": "2",
        "房号": "504",
    },
    {"姓名": "赵德柱", "手机号": "13912345678", "楼栋": "9栋"},  # 李秀英's phone in the register
    {"姓名": "李秀英", "手机号": "13912345678", "小区": "滨河小区"},  # the registered 李秀英: updated
    {"姓名": "张桂兰", "手机号": "13700001111"},  # a namesake of the registered 张桂兰
    {"姓名": "刘芳", "手机号": "14912345678"},  # a range the phone-number data does not know
    {"姓名": "陈明", "手机号": "13600001111", "身份证号": 411102195601010021},  # Excel made it a number
    {"姓名": "陈亮", "手机号": "13600002222", "身份证号": 411102195601010022},
    {"姓名": "待算", "手机号": "13600003333"},  # its name cell becomes a formula without a value
]


def roster_file() -> bytes:
    workbook = load_workbook(io.BytesIO(xlsx_bytes(ROWS)))
    sheet = workbook.active
    sheet.cell(row=len(ROWS) + 1, column=HEADERS.index("姓名") + 1).value = '=CONCATENATE("周","敏")'
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl saves formulas without their results, as exporting programs do
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_offices_roster_previewed_confirmed_and_shown(
    live_server, phone_page, alice, binxi, tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "_queue", lambda pk, language: None)  # the test runs the import itself
    li = ResidentFactory(community=binxi, name="李秀英", phone="+8613912345678")
    zhang = ResidentFactory(community=binxi, name="张桂兰", phone="+8613500001111")
    path = tmp_path / "冶金厂家属院名册.xlsx"
    path.write_bytes(roster_file())

    browser_login(phone_page, live_server, "alice", PASSWORD)
    phone_page.goto(f"{live_server.url}/residents/rosters/import/")
    phone_page.set_input_files("input[type=file]", str(path))
    phone_page.get_by_role("button", name="上传并检查").click()
    phone_page.wait_for_url("**/rosters/import/*/")
    assert_no_horizontal_scroll(phone_page)

    # the address as the saved page will show it, once
    sample = phone_page.locator("#roster-sample")
    assert sample.get_by_text("冶金厂家属院 9号楼 2单元 504室").count() == 2
    assert "号楼号楼" not in phone_page.content()

    # problems grouped by kind, each collapsible, said once with its count
    ids = phone_page.locator("details.roster-kind-id_number_as_number")
    assert ids.count() == 1 and "2 行" in ids.locator("summary").inner_text()
    assert "Excel 把这一列身份证号存成了数字" in ids.locator("summary").inner_text()
    formula = phone_page.locator("details.roster-kind-formula_without_value")
    assert "公式" in formula.locator("summary").inner_text() and "请填写居民姓名" not in phone_page.content()
    duplicate = phone_page.locator("details.roster-kind-possible_duplicate")
    duplicate.locator("summary").click()
    link = duplicate.get_by_role("link", name="查看已登记的居民")
    assert link.is_visible() and link.get_attribute("href").endswith(f"/residents/{zhang.pk}/")
    shared = phone_page.locator("details.roster-kind-shared_phone")
    shared.locator("summary").click()
    shared_text = shared.inner_text()
    assert "第2行（王玉枝）手机号相同" in shared_text and "李秀英已登记此手机号" in shared_text
    assert phone_page.locator("details.roster-kind-phone_unverified").count() == 1
    assert_no_horizontal_scroll(phone_page)

    # the way through: import the rows whose ID numbers were lost, marked to be completed
    assert ids.get_attribute("open") is not None  # the largest group of errors starts open
    button = phone_page.locator("#import-without-ids")
    assert "导入 8 行" in button.inner_text()
    button.click()
    phone_page.wait_for_load_state()
    roster_import = RosterImport.objects.get()
    assert roster_import.status == "queued" and roster_import.ids_pending
    assert roster_run(roster_import_id=roster_import.pk) == "done"
    roster_import.refresh_from_db()
    assert (roster_import.created_count, roster_import.updated_count) == (7, 1)
    li.refresh_from_db()
    assert li.compound == "滨河小区"  # same name and phone: updated, not doubled
    assert Resident.objects.filter(name="张桂兰").count() == 2

    wang = Resident.objects.get(name="王玉枝")
    assert (wang.building, wang.unit, wang.room) == ("9", "2", "504")
    phone_page.goto(f"{live_server.url}/residents/{wang.pk}/")
    assert phone_page.get_by_text("冶金厂家属院 9号楼 2单元 504室").is_visible()
    chen = Resident.objects.get(name="陈明")
    assert chen.id_number_pending and not chen.id_number_hmac
    phone_page.goto(f"{live_server.url}/residents/{chen.pk}/")
    assert phone_page.locator("#id-number-pending").inner_text() == "身份证号待补"
    assert_no_horizontal_scroll(phone_page)
