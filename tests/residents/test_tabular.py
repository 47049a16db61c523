"""The shared tabular helper (residents/tabular.py) that every export writes its files with."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from residents import tabular
from residents.models import AccessLog
from tests.residents.test_exports import EXPORT, people  # noqa: F401 — the fixture

COLUMNS = [tabular.TableColumn("姓名", 10), tabular.TableColumn("房号", 8, text=True)]
ROWS = [["王玉枝", "0501"], ["=HYPERLINK(1)", "-1"], ["曾国强", "@A1"]]


def test_csv_in_utf8_has_one_bom_and_defuses_formulas():
    raw = b"".join(tabular.csv_chunks(COLUMNS, iter(ROWS)))
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["姓名", "房号"], ["王玉枝", "0501"], ["'=HYPERLINK(1)", "'-1"], ["曾国强", "'@A1"]]


def test_csv_for_older_excel_is_gb18030_without_a_bom(monkeypatch):
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 1)  # several chunks, each encoded on its own
    chunks = list(tabular.csv_chunks(COLUMNS, iter(ROWS), encoding="gb18030"))
    assert len(chunks) == 4
    raw = b"".join(chunks)
    assert not raw.startswith(b"\xef\xbb\xbf") and "王玉枝".encode("gb18030") in raw
    assert list(csv.reader(io.StringIO(raw.decode("gb18030"))))[1] == ["王玉枝", "0501"]


def test_xlsx_cells_are_text_and_text_columns_formatted_as_text():
    handle = tabular.xlsx_file(COLUMNS, iter(ROWS), sheet_title="居民名册")
    sheet = load_workbook(handle).worksheets[0]
    assert sheet.title == "居民名册" and sheet.freeze_panes == "A2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1:] == ROWS
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)
    assert sheet["B2"].number_format == "@" and sheet["A2"].number_format != "@"


def test_file_names_say_what_community_and_whether_filtered():
    day = date(2026, 11, 29)
    kwargs = {"title": "居民名册", "community_name": "滨西社区", "suffix": "csv", "day": day}
    assert tabular.export_filename(filtered=False, **kwargs) == "居民名册-滨西社区-20261129.csv"
    assert tabular.export_filename(filtered=True, **kwargs) == "居民名册-滨西社区-筛选-20261129.csv"


def test_what_the_log_keeps_of_a_search_hides_a_phone_and_an_id_number():
    for typed in ("13812345678", "138 1234 5678", "411102 1956 0101 0021", "王 4111021956"):
        masked = tabular.masked_for_log(typed)
        runs = "".join(c if c.isdigit() else " " for c in masked).split()
        assert all(len(run) <= 4 for run in runs) and sum(map(len, runs)) <= 7, masked
    assert tabular.masked_for_log("3号楼 501") == "3号楼 501"


@pytest.mark.django_db
def test_the_roster_export_offers_gb18030_for_older_excel(client, alice, people):  # noqa: F811
    client.force_login(alice)
    response = client.get(EXPORT, {"download": "csv-gb18030"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=gb18030"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("gb18030"))))
    assert rows[0][:3] == ["社区", "姓名", "手机号"]
    assert sorted(row[1] for row in rows[1:]) == ["李秀英", "王玉枝"]
    assert "138****5678" in {row[2] for row in rows[1:]}
    log = AccessLog.objects.get(action="export")
    assert log.row_count == 2 and log.filters["format"] == "csv-gb18030"
