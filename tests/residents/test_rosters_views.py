"""The import pages: upload → preview (nothing written) → confirm once → the run; who may do what."""

import csv
import io

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from residents.idnumbers import mask_id_number
from residents.models import AccessLog, Resident, RosterImport
from residents.rosters import services, writing
from residents.rosters.services import roster_run
from tests.factories import GridFactory, ResidentFactory, UserFactory, member
from tests.residents.roster_files import csv_bytes, id_number

GOOD = [
    {
        "姓名": "王玉枝",
        "手机号": "13812345678",
        "网格": "第一网格",
        "身份证号": id_number("41110219560101002"),
    },
    {"姓名": "李秀英", "手机号": "13912345678", "小区": "冶金厂家属院", "楼栋": "3", "房号": "501"},
]
BAD = [
    {"姓名": "", "手机号": "13700000001"},
    {"姓名": "张三", "手机号": "12345"},
    {"姓名": "赵四", "网格": "第九网格"},
]

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def grid(binxi):
    return GridFactory(community=binxi, name="第一网格")


def upload(client, community, content: bytes, name: str = "花名册.csv"):
    return client.post(
        reverse("residents:roster_import"),
        {"community": community.pk, "file": SimpleUploadedFile(name, content)},
    )


def preview(client, user, community, rows, headers=None) -> RosterImport:
    client.force_login(user)
    response = upload(client, community, csv_bytes(rows, headers=headers))
    assert response.status_code == 302, response.content.decode()[:2000]
    return RosterImport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])


@pytest.mark.django_db
def test_preview_reports_bad_rows_and_writes_nothing(client, alice, binxi, grid):
    before = Resident.objects.count()
    roster_import = preview(client, alice, binxi, GOOD + BAD)
    assert Resident.objects.count() == before
    assert AccessLog.objects.count() == 0
    assert roster_import.status == "previewed" and roster_import.community == binxi
    assert (roster_import.total_rows, roster_import.valid_rows) == (5, 2)
    assert bytes(roster_import.content) == csv_bytes(GOOD + BAD)  # kept for the worker
    assert [(e["row"], e["column"]) for e in roster_import.report] == [
        (4, "姓名"),
        (5, "手机号"),
        (6, "网格"),
    ]

    page = client.get(reverse("residents:roster_import_detail", args=[roster_import.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "There is no grid named 第九网格 in 滨西社区." in html and "Enter the resident&#x27;s name." in html
    )
    assert "138****5678" in html and "139****5678" in html  # the first valid rows, masked
    assert "13812345678" not in html and "13912345678" not in html and "13700000001" not in html
    assert mask_id_number(GOOD[0]["身份证号"]) in html and GOOD[0]["身份证号"] not in html
    assert "Import 2 valid rows" in html


@pytest.mark.django_db
def test_an_unreadable_file_is_a_form_error_and_nothing_is_kept(client, alice, binxi):
    client.force_login(alice)
    response = upload(client, binxi, b"\xff\xfe\xff\xff broken", "花名册.csv")
    assert response.status_code == 200
    assert "neither UTF-8 nor GB18030" in response.content.decode()
    response = upload(client, binxi, b"hello", "花名册.pdf")
    assert "Upload an .xlsx or .csv file." in response.content.decode()
    response = upload(client, binxi, "手机号\n13812345678\n".encode(), "花名册.csv")
    assert "No header row" in response.content.decode()
    assert RosterImport.objects.count() == 0


@pytest.mark.django_db
def test_cannot_upload_to_another_community(client, alice, bindong):
    client.force_login(alice)
    response = upload(client, bindong, csv_bytes(GOOD))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert RosterImport.objects.count() == 0


@pytest.mark.django_db
def test_confirm_queues_once_after_commit(
    client, alice, binxi, grid, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(services, "_queue", lambda pk, language: queued.append((pk, language)))
    roster_import = preview(client, alice, binxi, GOOD + BAD)
    url = reverse("residents:roster_import_confirm", args=[roster_import.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = client.post(url)
        second = client.post(url)  # a double click, a second tab
    assert first.status_code == second.status_code == 302
    assert len(callbacks) == 1 and queued == [(roster_import.pk, "en")]
    roster_import.refresh_from_db()
    assert roster_import.status == "queued"
    assert Resident.objects.filter(community=binxi).count() == 0  # still nothing written

    assert roster_run(roster_import_id=roster_import.pk) == "done"
    assert roster_run(roster_import_id=roster_import.pk) == "skipped"  # a redelivered task
    roster_import.refresh_from_db()
    assert roster_import.status == "done" and roster_import.processed_rows == roster_import.total_rows == 5
    assert (roster_import.created_count, roster_import.updated_count) == (2, 0)
    assert bytes(roster_import.content) == b""  # the file's personal data is not kept
    wang = Resident.objects.get(community=binxi, name="王玉枝")
    assert wang.phone == "+8613812345678" and wang.grid == grid and wang.created_by == alice
    assert wang.id_number() == id_number("41110219560101002") and wang.birth_date.isoformat() == "1956-01-01"
    assert "wangyuzhi" in wang.name_pinyin and "wyz" in wang.name_pinyin
    log = AccessLog.objects.get(action="import")
    assert (log.actor, log.community, log.row_count) == (alice, binxi, 2)

    page = client.get(reverse("residents:roster_import_detail", args=[roster_import.pk])).content.decode()
    assert "2 added, 0 updated" in page and "There is no grid named" in page


@pytest.mark.django_db
def test_the_run_updates_existing_residents_and_records_consent(client, alice, binxi, grid):
    old = ResidentFactory(
        community=binxi, name="李秀英", phone="+8613912345678", sms_consent=False, notes="旧"
    )
    rows = [{"姓名": "李秀英", "手机号": "13912345678", "短信同意": "是", "备注": "", "网格": "第一网格"}]
    roster_import = preview(
        client, alice, binxi, rows, headers=["姓名", "手机号", "短信同意", "备注", "网格"]
    )
    assert (roster_import.created_count, roster_import.updated_count) == (0, 1)
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    roster_run(roster_import_id=roster_import.pk)
    old.refresh_from_db()
    assert old.sms_consent and old.sms_consent_at is not None and old.notes == "" and old.grid == grid
    assert old.compound == "冶金厂家属院"  # not a column of this file: left alone
    assert Resident.objects.filter(community=binxi).count() == 1


@pytest.mark.django_db
def test_a_failing_run_writes_nothing_and_says_so(client, alice, binxi, grid, monkeypatch):
    roster_import = preview(client, alice, binxi, GOOD)
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))

    def boom(**kwargs):
        Resident.objects.create(community=binxi, name="半截")
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "write_roster", boom)
    assert roster_run(roster_import_id=roster_import.pk) == "failed"
    roster_import.refresh_from_db()
    assert roster_import.status == "failed" and "nothing was written" in roster_import.error
    assert not Resident.objects.filter(name="半截").exists() and not AccessLog.objects.exists()


@pytest.mark.django_db
def test_only_the_uploader_confirms_or_discards(client, alice, binxi, grid):
    roster_import = preview(client, alice, binxi, GOOD)
    colleague = member(binxi, "supervisor", username="colleague")
    client.force_login(colleague)
    page = client.get(reverse("residents:roster_import_detail", args=[roster_import.pk]))
    assert page.status_code == 200 and "Only the person who uploaded" in page.content.decode()
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    client.post(reverse("residents:roster_import_discard", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == "previewed"

    client.force_login(alice)
    response = client.post(reverse("residents:roster_import_discard", args=[roster_import.pk]))
    assert response.status_code == 302 and not RosterImport.objects.filter(pk=roster_import.pk).exists()


@pytest.mark.django_db
def test_bob_gets_404_for_alices_import(client, alice, bob, binxi, grid):
    roster_import = preview(client, alice, binxi, GOOD)
    client.force_login(bob)
    for name in ("roster_import_detail", "roster_import_report"):
        assert client.get(reverse(f"residents:{name}", args=[roster_import.pk])).status_code == 404
    for name in ("roster_import_confirm", "roster_import_discard"):
        assert client.post(reverse(f"residents:{name}", args=[roster_import.pk])).status_code == 404
    roster_import.refresh_from_db()
    assert roster_import.status == "previewed"
    assert "花名册" not in client.get(reverse("residents:roster_import")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["volunteer", "desk_staff", "grid_worker"])
def test_staff_without_the_capability_get_403(client, alice, binxi, grid, role):
    roster_import = preview(client, alice, binxi, GOOD)
    client.force_login(member(binxi, role))
    for url in (
        reverse("residents:roster_import"),
        reverse("residents:roster_template"),
        reverse("residents:roster_export"),
        reverse("residents:roster_import_detail", args=[roster_import.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk])).status_code == 403


@pytest.mark.django_db
def test_a_user_of_no_community_gets_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("residents:roster_import")).status_code == 404
    assert client.get(reverse("residents:roster_export")).status_code == 404


@pytest.mark.django_db
def test_administrator_may_import(client, binxi, grid):
    admin = member(binxi, "administrator")
    roster_import = preview(client, admin, binxi, GOOD)
    assert roster_import.uploaded_by == admin


@pytest.mark.django_db
def test_report_download(client, alice, binxi, grid):
    roster_import = preview(client, alice, binxi, GOOD + BAD)
    response = client.get(reverse("residents:roster_import_report", args=[roster_import.pk]))
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv") and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Row", "Column", "Reason"] and rows[3] == [
        "6",
        "网格",
        "There is no grid named 第九网格 in 滨西社区.",
    ]


@pytest.mark.django_db
def test_template_has_the_headers_and_text_formatted_phone_and_id_columns(client, alice):
    client.force_login(alice)
    response = client.get(reverse("residents:roster_template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["姓名", "手机号", "联系人"] and "身份证号" in headers and "短信同意" in headers
    for header in ("手机号", "身份证号", "房号"):
        column = headers.index(header) + 1
        assert sheet.cell(row=2, column=column).number_format == "@"
        assert sheet.cell(row=500, column=column).number_format == "@"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
def test_preview_page_queries_do_not_grow_with_error_rows(client, alice, binxi, grid):
    one = preview(client, alice, binxi, GOOD + BAD[:1])
    many = preview(client, alice, binxi, GOOD + [{"姓名": "张三", "手机号": f"1{n:03d}"} for n in range(25)])
    assert len(one.report) == 1 and len(many.report) == 25
    urls = [reverse("residents:roster_import_detail", args=[item.pk]) for item in (one, many)]
    assert _queries(client, urls[0]) == _queries(client, urls[1])


@pytest.mark.django_db
def test_import_page_queries_do_not_grow_with_imports(client, alice, binxi, grid):
    preview(client, alice, binxi, GOOD)
    url = reverse("residents:roster_import")
    one = _queries(client, url)
    for _ in range(24):
        preview(client, alice, binxi, GOOD)
    assert _queries(client, url) == one


@pytest.mark.django_db
def test_progress_fragment_polls_until_done(client, alice, binxi, grid):
    roster_import = preview(client, alice, binxi, GOOD)
    url = reverse("residents:roster_import_detail", args=[roster_import.pk])
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert (
        'hx-trigger="every 1s"' in fragment.content.decode()
        and "Waiting for a worker" in fragment.content.decode()
    )
    RosterImport.objects.filter(pk=roster_import.pk).update(status="running", processed_rows=1)
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Checking rows: 1 of 2" in fragment and 'aria-valuenow="50"' in fragment
    roster_run_status = RosterImport.objects.filter(pk=roster_import.pk).update(status="queued")
    assert roster_run_status == 1
    roster_run(roster_import_id=roster_import.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rosters"}}
DBCACHE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "doorstep_cache"}
}


@pytest.mark.django_db
def test_writing_progress_goes_to_a_cache_outside_the_database(
    client, alice, binxi, grid, settings, monkeypatch
):
    settings.CACHES = LOCMEM
    roster_import = preview(client, alice, binxi, GOOD)
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    monkeypatch.setattr(writing, "BATCH", 1)
    written, real_write = [], services.write_roster

    def spying_write(*, on_written, **kwargs):
        def record(count):
            on_written(count)
            written.append((count, caches["default"].get(f"roster-import:{roster_import.pk}:written")))

        return real_write(on_written=record, **kwargs)

    monkeypatch.setattr(services, "write_roster", spying_write)
    roster_run(roster_import_id=roster_import.pk)
    assert written == [(1, 1), (2, 2)]
    assert caches["default"].get(f"roster-import:{roster_import.pk}:written") is None

    RosterImport.objects.filter(pk=roster_import.pk).update(status="running")
    caches["default"].set(f"roster-import:{roster_import.pk}:written", 1)
    url = reverse("residents:roster_import_detail", args=[roster_import.pk])
    assert "Writing residents: 1 of 2" in client.get(url, headers={"HX-Request": "true"}).content.decode()


@pytest.mark.django_db
def test_with_the_database_cache_the_bar_just_says_writing(client, alice, binxi, grid, settings):
    settings.CACHES = DBCACHE
    call_command("createcachetable")  # absent when the suite runs with Redis as its cache
    roster_import = preview(client, alice, binxi, GOOD)
    RosterImport.objects.filter(pk=roster_import.pk).update(status="running", processed_rows=2)
    url = reverse("residents:roster_import_detail", args=[roster_import.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Writing residents in one transaction" in fragment and "progress-bar-animated" in fragment


@pytest.mark.django_db
def test_checking_progress_is_saved_in_chunks(client, alice, binxi, grid, monkeypatch):
    roster_import = preview(client, alice, binxi, GOOD * 3 + BAD)
    client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    seen, real_check = [], services.check_roster

    def small_chunks(**kwargs):
        on_progress = kwargs.pop("on_progress")

        def record(done):
            on_progress(done)
            seen.append(RosterImport.objects.get(pk=roster_import.pk).processed_rows)

        return real_check(on_progress=record, progress_every=2, **kwargs)

    monkeypatch.setattr(services, "check_roster", small_chunks)
    roster_run(roster_import_id=roster_import.pk)
    assert seen == [2, 4, 6, 8]
    assert RosterImport.objects.get(pk=roster_import.pk).processed_rows == 9
