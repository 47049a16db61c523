"""The request list downloaded as .xlsx and .csv: the list's own rows, phones masked, logged."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from residents.models import AccessLog
from tests.requests.conftest import in_state, logged

pytestmark = pytest.mark.django_db


def test_a_supervisor_downloads_the_filtered_list_with_masked_phones(world, client):
    in_state(world, "in_progress")
    in_state(world, "logged")
    logged(world, community=world.bindong, actor=world.outsider, resident=world.stranger)
    client.force_login(world.supervisor)
    listed = client.get(reverse("requests:list"), {"status": "in_progress"})
    assert listed.context["page"].paginator.count == 1
    response = client.get(reverse("requests:list"), {"status": "in_progress", "download": "xlsx"})
    assert response.status_code == 200
    assert (
        "筛选" in response["Content-Disposition"] or "%E7%AD%9B%E9%80%89" in response["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(table) == 2  # the header and the one in-progress request
    assert table[1][5] == "王玉枝" and table[1][6] == "139****5678"
    assert "13912345678" not in str(table)
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (entry.actor, entry.community, entry.row_count) == (world.supervisor, world.binxi, 1)


def test_the_csv_for_excel_and_gb18030(world, client):
    in_state(world, "logged")
    client.force_login(world.supervisor)
    for fmt, encoding in (("csv", "utf-8-sig"), ("csv-gb18030", "gb18030")):
        response = client.get(reverse("requests:list"), {"download": fmt})
        text = b"".join(response.streaming_content).decode(encoding)
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 2 and rows[1][5] == "王玉枝" and rows[1][6] == "139****5678"


def test_only_those_who_may_export_download_and_never_another_communitys_rows(world, client):
    in_state(world, "logged")
    client.force_login(world.desk_staff)
    assert client.get(reverse("requests:list"), {"download": "xlsx"}).status_code == 403
    client.force_login(world.outsider)  # 滨东's supervisor
    response = client.get(reverse("requests:list"), {"download": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only: nothing of 滨西
