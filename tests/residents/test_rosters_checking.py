"""Every row checked as the resident form would; each reason reported as {row, column, reason}."""

from datetime import datetime

import pytest
from django.utils import translation

from residents.idnumbers import fingerprint
from residents.rosters.checking import check_roster
from residents.rosters.reading import open_roster
from tests.factories import GridFactory, ResidentFactory
from tests.residents.roster_files import csv_bytes, id_number, xlsx_bytes

ID_A = id_number("11010119900307837")
ID_B = id_number("41110219560101002")
ID_C = id_number("41110219800215003")


def shown(report: list[dict]) -> list[dict]:
    """Row, column and reason: what the report says (its other keys translate and group it)."""
    return [{key: entry[key] for key in ("row", "column", "reason")} for entry in report]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def grid(binxi):
    return GridFactory(community=binxi, name="第一网格")


def check(community, content: bytes, name: str = "roster.csv"):
    return check_roster(community=community, table=open_roster(content, name))


def reasons(result) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for entry in result.report:
        assert {"row", "column", "reason", "message", "kind", "level"} <= set(entry)
        found.setdefault(entry["row"], []).append((entry["column"], entry["reason"]))
    return found


def test_a_valid_row_is_normalised(binxi, grid):
    result = check(
        binxi,
        csv_bytes(
            [
                {
                    "姓名": " 王玉枝 ",
                    "手机号": "138 1234 5678",
                    "网格": "第一网格",
                    "身份证号": ID_A.lower() if ID_A.endswith("X") else ID_A,
                    "独居老人": "是",
                    "低保": "否",
                    "短信同意": "Y",
                    "楼栋": "３",
                }
            ]
        ),
    )
    assert result.report == [] and result.total_rows == 1
    [row] = result.rows
    assert row.values["name"] == "王玉枝" and row.values["building"] == "3"
    assert row.phone == "+8613812345678" and row.id_number == ID_A and row.fingerprint == fingerprint(ID_A)
    assert row.values["grid_id"] == grid.pk
    assert row.values["lives_alone"] is True and row.values["low_income"] is False
    assert row.values["sms_consent"] is True and row.resident_id is None
    assert result.to_create == 1 and result.to_update == 0


@pytest.mark.django_db
def test_each_reason_is_reported_with_row_and_column(binxi, bindong, grid):
    GridFactory(community=bindong, name="第九网格")  # another community's grid is no grid of ours
    rows = [
        {"姓名": "", "手机号": "13812345678"},  # row 2
        {"姓名": "张三", "手机号": "1381234"},  # 3: 7 digits
        {"姓名": "张三", "手机号": "138****5678"},  # 4: masked, from an export
        {"姓名": "张三", "手机号": "1.38123E+10"},  # 5: scientific notation
        {"姓名": "张三", "身份证号": ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")},  # 6: check digit
        {"姓名": "张三", "身份证号": "1.10101E+17"},  # 7: scientific notation
        {"姓名": "张三", "网格": "第九网格"},  # 8: no such grid here
        {"姓名": "张三", "独居老人": "也许"},  # 9: not a yes / no
        {"姓名": "张" * 51},  # 10: too long
        {"姓名": "张三", "手机号": "abc"},  # 11: letters
    ]
    result = check(binxi, csv_bytes(rows))
    found = reasons(result)
    assert result.total_rows == 10 and result.rows == []
    assert found[2] == [("姓名", "Enter the resident's name.")]
    assert found[3][0][0] == "手机号" and "11 digits" in found[3][0][1]
    assert "masked" in found[4][0][1]
    assert "scientific notation" in found[5][0][1]
    assert found[6][0][0] == "身份证号" and "check digit" in found[6][0][1]
    assert "scientific notation" in found[7][0][1]
    assert found[8] == [("网格", "There is no grid named 第九网格 in 滨西社区.")]
    assert found[9][0][0] == "独居老人" and "是" in found[9][0][1]
    assert found[10][0][0] == "姓名" and "50" in found[10][0][1]
    assert found[11][0][0] == "手机号" and "only contain digits" in found[11][0][1]


def test_several_problems_in_one_row_are_all_reported(binxi):
    result = check(binxi, csv_bytes([{"姓名": "", "手机号": "12", "身份证号": "123"}]))
    assert [column for column, _reason in reasons(result)[2]] == ["姓名", "手机号", "身份证号"]


@pytest.mark.django_db
def test_xlsx_numbers_phone_survives_id_is_reported_not_mangled(binxi):
    rows = [
        {"姓名": "王玉枝", "手机号": 13812345678},  # a number cell: 11 digits are exact
        {"姓名": "李四", "手机号": 13912345678.0},
        {"姓名": "赵五", "身份证号": 1.10101199003078e17},  # what Excel keeps of an 18-digit ID
        {"姓名": "钱六", "身份证号": 110101199003078371},
        {"姓名": "孙七", "楼栋": datetime(2024, 3, 5)},  # Excel turned 3-5 into a date
        {"姓名": "周八", "房号": 501, "单元": 2.0},
    ]
    result = check(binxi, xlsx_bytes(rows), "roster.xlsx")
    found = reasons(result)
    assert [row.phone for row in result.rows[:2]] == ["+8613812345678", "+8613912345678"]
    for number in (4, 5):
        [(column, reason)] = found[number]
        assert column == "身份证号" and "stored as a number" in reason and "last digits" in reason
    assert "date" in found[6][0][1]
    last = result.rows[-1]
    assert last.values["room"] == "501" and last.values["unit"] == "2"
    assert not any(row.id_number for row in result.rows)


def test_community_column_must_name_this_community(binxi):
    rows = [
        {"社区": "滨西社区", "姓名": "甲"},
        {"社区": "滨西", "姓名": "乙"},
        {"社区": "滨东社区", "姓名": "丙"},
    ]
    result = check(binxi, csv_bytes(rows, headers=["社区", "姓名"]))
    assert [row.values["name"] for row in result.rows] == ["甲", "乙"]
    assert reasons(result)[4] == [("社区", "This row belongs to 滨东社区, not to 滨西社区.")]


def test_unknown_columns_are_noted_on_the_header_row(binxi):
    result = check(binxi, csv_bytes([{"姓名": "甲", "鞋码": "42"}], headers=["姓名", "鞋码"]))
    assert shown(result.report) == [
        {"row": 1, "column": "鞋码", "reason": "Unknown column; it is not imported."}
    ]
    assert len(result.rows) == 1


def test_duplicates_within_the_file(binxi):
    rows = [
        {"姓名": "王玉枝", "手机号": "13812345678", "身份证号": ID_A},
        {"姓名": "王玉芝", "手机号": "13800000001", "身份证号": ID_A},  # same ID, another spelling
        {"姓名": "王玉枝", "手机号": "+86 138-1234-5678"},  # same name and phone
        {"姓名": "李四", "手机号": "13812345678"},  # a shared family phone is fine
    ]
    result = check(binxi, csv_bytes(rows))
    found = reasons(result)
    assert found[3] == [("身份证号", "Same ID number as row 2.")]
    assert found[4] == [("手机号", "Same name and phone as row 2.")]
    assert [row.row for row in result.rows] == [2, 5]


def test_existing_residents_are_updated_not_duplicated(binxi, bindong):
    by_id = ResidentFactory(community=binxi, name="王玉枝", phone="+8613812345678")
    by_id.set_id_number(ID_A)
    by_id.save()
    by_phone = ResidentFactory(community=binxi, name="李四", phone="+8613912345678")
    ResidentFactory(community=bindong, name="赵五", phone="+8613700000000")  # 滨东's: never matched
    rows = [
        {"姓名": "王玉枝（改名）", "身份证号": ID_A},  # the ID wins over the name
        {"姓名": "李四", "手机号": "13912345678"},
        {"姓名": "赵五", "手机号": "13700000000"},
    ]
    result = check(binxi, csv_bytes(rows))
    assert result.report == []
    assert [row.resident_id for row in result.rows] == [by_id.pk, by_phone.pk, None]
    assert (result.to_create, result.to_update) == (1, 2)


def test_conflicts_with_existing_residents(binxi):
    known = ResidentFactory(community=binxi, name="李四", phone="+8613912345678")
    known.set_id_number(ID_B)
    known.save()
    other = ResidentFactory(community=binxi, name="钱六", phone="+8613622222222")
    other.set_id_number(ID_A)
    other.save()
    ResidentFactory(community=binxi, name="王五", phone="+8613711111111")
    ResidentFactory(community=binxi, name="王五", phone="+8613711111111")
    rows = [
        {"姓名": "钱六", "手机号": "13622222222", "身份证号": ID_C},  # 2: same name and phone, other ID
        {"姓名": "王五", "手机号": "13711111111"},  # 3: two residents match
        {"姓名": "李四", "手机号": "13912345678"},  # 4: updates 李四 …
        {"姓名": "李四（女儿代填）", "身份证号": ID_B},  # 5: … and so does this row, by ID
    ]
    found = reasons(check(binxi, csv_bytes(rows)))
    assert found[2] == [
        ("身份证号", "A resident with this name and phone has a different ID number. Check the ID number.")
    ]
    assert found[3] == [("手机号", "Several residents have this name and phone. Edit them one by one.")]
    assert 4 not in found
    assert found[5] == [("姓名", "Row 4 already updates the same resident.")]


def test_the_report_is_in_the_language_of_the_page(binxi):
    with translation.override("zh-hans"):
        result = check(binxi, csv_bytes([{"姓名": "", "手机号": "1381234", "网格": "第九网格"}]))
    assert [entry["reason"] for entry in result.report] == [
        "请填写居民姓名。",
        "中国大陆手机号为11位。",
        "滨西社区没有名为“第九网格”的网格。",
    ]
