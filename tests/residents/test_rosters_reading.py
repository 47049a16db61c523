"""Reading roster files: formats, encodings, header rows, limits — each failure a clear message."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from residents.rosters import reading
from residents.rosters.reading import RosterFileError, decode_csv, open_roster
from tests.residents.roster_files import csv_bytes, id_number, xlsx_bytes


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


WANG = {"姓名": "王玉枝", "手机号": "13812345678", "小区": "冶金厂家属院", "备注": "腿脚不便，需上门"}


def names(table) -> list[str]:
    return [cells["name"] for _number, cells in table.rows()]


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8-sig", "UTF-8 with BOM"), ("utf-8", "UTF-8"), ("gb18030", "GB18030")]
)
def test_csv_encodings_chinese_excel_writes(encoding, label):
    content = csv_bytes([WANG], encoding=encoding)
    table = open_roster(content, "花名册.csv")
    rows = list(table.rows())
    assert rows == [(2, {**dict.fromkeys(table.columns, ""), **_fields(WANG)})], label
    assert table.kind == "csv"


def _fields(values: dict) -> dict:
    mapping = {"姓名": "name", "手机号": "phone", "小区": "compound", "备注": "notes"}
    return {mapping[key]: value for key, value in values.items()}


def test_gb18030_is_not_mistaken_for_utf8():
    content = "姓名,手机号\n曾晓燕,13812345678\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert decode_csv(content).splitlines()[1] == "曾晓燕,13812345678"


def test_undecodable_csv_is_a_clear_error():
    with pytest.raises(RosterFileError, match="neither UTF-8 nor GB18030"):
        open_roster(b"\xff\xfe\xff\xff\xff name", "x.csv")


def test_utf16_text_is_refused_clearly():
    with pytest.raises(RosterFileError, match="UTF-16"):
        open_roster("姓名\t手机号\n".encode("utf-16"), "x.csv")


def test_old_xls_and_damaged_xlsx_are_refused():
    with pytest.raises(RosterFileError, match=r"\.xls"):
        open_roster(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls")
    with pytest.raises(RosterFileError, match="not a valid .xlsx"):
        open_roster(b"PK\x03\x04 this is not a workbook", "broken.xlsx")
    with pytest.raises(RosterFileError, match="not a valid .xlsx"):
        open_roster(b"just text", "named.xlsx")


def test_empty_and_oversized_files():
    with pytest.raises(RosterFileError, match="empty"):
        open_roster(b"", "x.csv")
    with pytest.raises(RosterFileError, match="10 MB"):
        open_roster(b"a" * (reading.MAX_BYTES + 1), "x.csv")


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    table = open_roster(csv_bytes([WANG] * 4), "x.csv")
    with pytest.raises(RosterFileError, match="more than 3 rows"):
        list(table.rows())


def test_title_line_above_the_header_and_row_numbers_as_excel_shows_them():
    content = "滨西社区居民花名册\n\n姓名,手机号\n王玉枝,13812345678\n,\n李四,13912345678\n".encode()
    table = open_roster(content, "x.csv")
    assert table.header_row == 3
    assert [number for number, _cells in table.rows()] == [4, 6]  # the empty row 5 is skipped


def test_quoted_line_breaks_count_as_one_row():
    content = '姓名,备注\n王玉枝,"第一行\n第二行"\n李四,\n'.encode()
    assert [number for number, _cells in open_roster(content, "x.csv").rows()] == [2, 3]


def test_english_aliases_tab_delimiter_and_unknown_columns():
    content = "Name\tMobile phone\tID number\tShoe size\n王玉枝\t13812345678\t\t42\n".encode()
    table = open_roster(content, "x.csv")
    assert set(table.columns) == {"name", "phone", "id_number"}
    assert table.unknown_headers == ["Shoe size"]
    assert names(table) == ["王玉枝"]


def test_header_with_marks_and_spaces():
    content = "姓名*, 手机号（必填）,身份证号码\n王玉枝,13812345678,\n".encode()
    assert set(open_roster(content, "x.csv").columns) == {"name", "phone", "id_number"}


def test_no_name_column_and_a_column_twice():
    with pytest.raises(RosterFileError, match="姓名"):
        open_roster("手机号,小区\n13812345678,冶金厂家属院\n".encode(), "x.csv")
    with pytest.raises(RosterFileError, match="appears twice"):
        open_roster("姓名,手机号,电话\n王玉枝,13812345678,13812345678\n".encode(), "x.csv")


def test_xlsx_reads_text_as_text_and_numbers_as_numbers():
    valid = id_number("11010119900307837")
    content = xlsx_bytes([{"姓名": "王玉枝", "手机号": "13812345678", "身份证号": valid, "房号": 501}])
    table = open_roster(content, "花名册.xlsx")
    [(number, cells)] = list(table.rows())
    assert number == 2 and table.kind == "xlsx"
    assert cells["phone"] == "13812345678" and cells["id_number"] == valid and cells["room"] == 501


def test_xlsx_detected_by_content_not_by_name():
    content = xlsx_bytes([{"姓名": "王玉枝"}])
    assert open_roster(content, "roster.csv").kind == "xlsx"


def test_xlsx_only_the_first_sheet_and_trailing_formatted_rows_ignored():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "手机号"])
    sheet.append(["王玉枝", "13812345678"])
    for row in range(3, 500):
        sheet.cell(row=row, column=2).number_format = "@"  # as the template formats empty rows
    workbook.create_sheet("说明").append(["姓名", "不是居民"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert names(open_roster(buffer.getvalue(), "x.xlsx")) == ["王玉枝"]


def test_file_errors_speak_chinese_first():
    with translation.override("zh-hans"), pytest.raises(RosterFileError, match="GB18030"):
        open_roster(b"\xff\xfe\xff\xff\xff name", "x.csv")
    with translation.override("zh-hans"), pytest.raises(RosterFileError) as caught:
        open_roster(b"", "x.csv")
    assert str(caught.value) == "文件是空的。"
