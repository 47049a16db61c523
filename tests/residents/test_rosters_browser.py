"""On a 360-px phone a supervisor uploads a roster, reads the Chinese preview, exports; no sideways scroll."""

from pathlib import Path

import pytest

from residents.models import Resident, RosterImport
from tests.conftest import assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD, GridFactory, ResidentFactory
from tests.residents.roster_files import csv_bytes, id_number

ROWS = [
    {
        "姓名": "王玉枝",
        "手机号": "13812345678",
        "小区": "冶金厂家属院",
        "楼栋": "3",
        "单元": "2",
        "房号": "501",
        "网格": "第一网格",
        "身份证号": id_number("41110219560101002"),
        "独居老人": "是",
        "备注": "腿脚不便，需上门服务，子女在外地工作，每周三上午社区网格员上门探访",
    },
    {"姓名": "李秀英", "手机号": "139123", "网格": "第九网格"},
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_preview_and_export_on_a_phone(live_server, phone_page, alice, binxi, tmp_path):
    GridFactory(community=binxi, name="第一网格")
    ResidentFactory(community=binxi, name="赵德柱", phone="+8613787654321")
    roster = tmp_path / "滨西花名册.csv"
    roster.write_bytes(csv_bytes(ROWS, encoding="gb18030"))

    browser_login(phone_page, live_server, "alice", PASSWORD)
    phone_page.goto(f"{live_server.url}/residents/rosters/import/")
    assert phone_page.get_by_role("heading", name="导入名册").is_visible()
    assert_no_horizontal_scroll(phone_page)

    phone_page.set_input_files("input[type=file]", str(roster))
    phone_page.get_by_role("button", name="上传并检查").click()
    phone_page.wait_for_url("**/rosters/import/*/")
    body = phone_page.content()
    assert "滨西社区没有名为“第九网格”的网格。" in body
    assert "138****5678" in body and "13812345678" not in body
    assert phone_page.get_by_role("button", name="导入1行有效数据").is_visible()
    assert_no_horizontal_scroll(phone_page)
    assert RosterImport.objects.get().status == "previewed" and Resident.objects.count() == 1

    phone_page.goto(f"{live_server.url}/residents/rosters/export/")
    assert phone_page.get_by_text("符合条件的居民共1人。").is_visible()
    assert_no_horizontal_scroll(phone_page)
    with phone_page.expect_download() as download:
        phone_page.get_by_role("button", name="下载 CSV").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and "137****4321" in content.decode("utf-8-sig")
