"""Roster export: scoped, filtered like the directory, phones and IDs masked, CSV with a BOM, logged."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from residents.models import AccessLog
from tests.factories import GridFactory, MembershipFactory, ResidentFactory, member
from tests.residents.roster_files import id_number

EXPORT = reverse("residents:roster_export")

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def people(binxi, bindong):
    east, west = GridFactory(community=binxi, name="东网格"), GridFactory(community=binxi, name="西网格")
    wang = ResidentFactory(
        community=binxi,
        grid=east,
        name="王玉枝",
        phone="+8613812345678",
        compound="冶金厂家属院",
        lives_alone=True,
    )
    wang.set_id_number(id_number("41110219560101002"))
    wang.save()
    li = ResidentFactory(
        community=binxi, grid=west, name="李秀英", phone="+8613912345678", compound="滨河小区"
    )
    zhao = ResidentFactory(community=bindong, name="赵德柱", phone="+8613787654321", compound="冶金厂家属院")
    return {"wang": wang, "li": li, "zhao": zhao, "east": east, "west": west}


def download(client, **params) -> tuple[list[list[str]], str]:
    response = client.get(EXPORT, {"download": "csv", **params})
    assert response.status_code == 200, response.content[:500]
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text))), text


@pytest.mark.django_db
def test_export_masks_phones_and_ids_and_has_a_bom(client, alice, people):
    client.force_login(alice)
    rows, text = download(client)
    assert rows[0][:3] == ["社区", "姓名", "手机号"]
    names = [row[1] for row in rows[1:]]
    assert sorted(names) == ["李秀英", "王玉枝"]
    wang = rows[1 + names.index("王玉枝")]
    assert (
        wang[2] == "138****5678"
        and wang[rows[0].index("身份证号")]
        == "411***********1002"[:3] + "*" * 11 + (people["wang"].id_number()[-4:])
    )
    assert wang[rows[0].index("独居老人")] == "是" and wang[rows[0].index("网格")] == "东网格"
    for secret in ("13812345678", "13912345678", people["wang"].id_number()):
        assert secret not in text


@pytest.mark.django_db
def test_bobs_export_never_contains_binxi_residents(client, bob, people, binxi):
    client.force_login(bob)
    rows, text = download(client)
    assert [row[1] for row in rows[1:]] == ["赵德柱"]
    assert "王玉枝" not in text and "滨西" not in text
    # naming alice's community or grid is an invalid choice, not a way in
    for params in ({"community": binxi.pk}, {"grid": people["east"].pk}):
        response = client.get(EXPORT, {"download": "csv", **params})
        assert response.status_code == 200 and not response.streaming
        assert "Select a valid choice" in response.content.decode()
    assert AccessLog.objects.filter(community=binxi).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"grid": "east"}, ["王玉枝"]),
        ({"compound": "滨河小区"}, ["李秀英"]),
        ({"flag": "lives_alone"}, ["王玉枝"]),
        ({"flags": "lives_alone"}, ["王玉枝"]),
        ({"q": "李"}, ["李秀英"]),
        ({"q": "wyz"}, ["王玉枝"]),
        ({"q": "5678"}, ["李秀英", "王玉枝"]),
        ({"q": "nobody"}, []),
    ],
)
def test_export_respects_the_directory_filters(client, alice, people, params, expected):
    if params.get("grid") == "east":
        params = {"grid": people["east"].pk}
    client.force_login(alice)
    rows, _text = download(client, **params)
    assert sorted(row[1] for row in rows[1:]) == expected
    log = AccessLog.objects.get(action="export")
    assert log.row_count == len(expected) and log.actor == alice
    for key, value in params.items():
        logged = log.filters["flags" if key == "flag" else key]
        assert logged == value or logged == [value]


@pytest.mark.django_db
def test_every_export_is_logged_per_community(client, binxi, bindong, people):
    chief = member(binxi, "supervisor", username="chief")
    MembershipFactory(user=chief, community=bindong, role="supervisor")
    client.force_login(chief)
    rows, _text = download(client, compound="冶金厂家属院")
    assert sorted(row[1] for row in rows[1:]) == ["王玉枝", "赵德柱"]
    logs = {log.community: log for log in AccessLog.objects.filter(action="export")}
    assert {community: log.row_count for community, log in logs.items()} == {binxi: 1, bindong: 1}
    assert logs[binxi].filters == {"format": "csv", "compound": "冶金厂家属院"}
    assert logs[binxi].detail == "Roster export (CSV)" and logs[binxi].actor == chief


@pytest.mark.django_db
def test_the_page_counts_and_logs_nothing(client, alice, people):
    client.force_login(alice)
    response = client.get(EXPORT, {"compound": "滨河小区"})
    assert response.status_code == 200 and "1 resident matches." in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_bad_parameters_are_form_errors_not_500(client, alice, people):
    client.force_login(alice)
    for params in ({"grid": "abc"}, {"community": "999999"}, {"download": "pdf"}, {"flag": "rich"}):
        response = client.get(EXPORT, params)
        assert response.status_code == 200 and not response.streaming, params
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_formulas_are_not_run_by_excel(client, alice, binxi):
    ResidentFactory(community=binxi, name='=HYPERLINK("http://x")', notes="+1 @SUM(A1)")
    client.force_login(alice)
    rows, _text = download(client)
    assert rows[1][1].startswith("'=") and rows[1][-1].startswith("'+")


@pytest.mark.django_db
def test_volunteer_may_not_export(client, binxi, people):
    client.force_login(member(binxi, "volunteer"))
    assert client.get(EXPORT, {"download": "csv"}).status_code == 403
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_anonymised_residents_are_not_exported(client, alice, people):
    from django.utils import timezone

    people["li"].anonymised_at = timezone.now()
    people["li"].save()
    client.force_login(alice)
    rows, _text = download(client)
    assert [row[1] for row in rows[1:]] == ["王玉枝"]


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(EXPORT, params)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"download": "csv"}, {"download": "xlsx"}])
def test_export_queries_do_not_grow_with_rows(client, alice, binxi, params):
    grid = GridFactory(community=binxi)
    ResidentFactory(community=binxi, grid=grid)
    client.force_login(alice)
    _queries(client, params)  # the first request reads the memberships into the cache
    one = _queries(client, params)
    ResidentFactory.create_batch(24, community=binxi, grid=grid)
    assert _queries(client, params) == one


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13912345678", "139****5678"),  # a whole mobile, masked as everywhere
        ("1391234", "***1234"),  # part of one: only the last four digits stay
        ("王 5678", "王 5678"),  # last four digits are what lists show anyway
        ("110101199003074512", "110***********4512"),
        ("1234 5678", "**** 5678"),  # the last eight digits of a phone, typed in two groups
        ("4111 0219 9003 0745 12", "**** **** **** **45 12"),  # an ID number typed in groups
        ("3号楼 501", "3号楼 501"),  # an address is no phone
    ],
)
def test_the_export_log_keeps_no_phone_or_id_number_typed_in_the_search(client, alice, people, typed, kept):
    client.force_login(alice)
    download(client, q=typed)
    assert AccessLog.objects.get(action="export").filters["q"] == kept


@pytest.mark.django_db
def test_the_file_name_says_which_community_and_whether_it_was_filtered(client, alice, people):
    from urllib.parse import unquote

    client.force_login(alice)
    today = timezone.localdate().strftime("%Y%m%d")
    whole = client.get(EXPORT, {"download": "csv"})
    assert f"居民名册-滨西社区-{today}.csv" in unquote(whole["Content-Disposition"])
    part = client.get(EXPORT, {"download": "csv", "compound": "冶金厂家属院"})
    assert f"居民名册-滨西社区-筛选-{today}.csv" in unquote(part["Content-Disposition"])


@pytest.fixture
def addressed(binxi):
    """Residents whose addresses and phones the directory's search reads in several ways."""
    common = {"community": binxi, "compound": "冶金厂家属院"}
    return [
        ResidentFactory(**common, name="王玉枝", phone="+8613912345678", building="3", unit="2", room="501"),
        ResidentFactory(**common, name="曾国强", phone="+8613800001111", building="5", unit="1", room="302"),
        ResidentFactory(**common, name="王建国", phone="+8613712345501", building="3", unit="1", room="101"),
        ResidentFactory(
            community=binxi,
            compound="滨河小区",
            name="单秀英",
            phone="+8618600002222",
            building="2",
            room="501",
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "3号楼",
        "3-501",
        "3-2-501",
        "501室",
        "+86 139 1234 5678",
        "139 1234 5678",
        "wang",
        "冶金厂家属院3号楼",
        "zgq",
        "单",
        "501",
    ],
)
def test_the_same_words_choose_the_same_residents_in_the_directory_and_the_export(
    client, alice, addressed, typed
):
    """One parser for both (selectors.search_filter): the export of a search holds exactly the
    residents the directory lists for it. Before, the export split the words its own way: 3号楼 or a
    phone typed with spaces found residents on the page and none in the file."""
    from residents.selectors import resident_search

    listed = {resident.name for resident in resident_search(user=alice, q=typed)}
    assert listed, f"the directory finds someone for {typed!r}"
    client.force_login(alice)
    rows, _text = download(client, q=typed)
    assert {row[1] for row in rows[1:]} == listed
    page = client.get(reverse("residents:list"), {"q": typed}).content.decode()
    assert {resident.name for resident in addressed if resident.name in page} == listed
