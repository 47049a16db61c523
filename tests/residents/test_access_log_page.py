"""Supervisors read who revealed, viewed, exported or anonymised what: scoped, paginated, fixed queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents.models import AccessLog
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

URL = reverse("residents:access_log")


def log(actor, resident, action="reveal_phone", **extra):
    return AccessLog.objects.create(
        actor=actor, community=resident.community, resident=resident, action=action, **extra
    )


def test_a_supervisor_reads_who_did_what_to_whom(as_user, alice, roles, people):
    log(roles.desk_staff, people.wang)
    log(alice, people.zeng, "view_id_number")
    log(alice, people.shan, "export", detail="居民名册", row_count=120)
    html = as_user(alice).get(URL).content.decode()
    assert "查看完整手机号" in html and "王玉枝" in html
    assert "查看身份证号" in html and "曾国强" in html
    assert "居民名册" in html and "120 行" in html
    assert "13912345678" not in html


def test_the_log_filters_by_action(as_user, alice, people):
    log(alice, people.wang)
    log(alice, people.zeng, "view_id_number")
    html = as_user(alice).get(URL, {"action": "view_id_number"}).content.decode()
    assert "曾国强" in html and "王玉枝" not in html
    assert as_user(alice).get(URL, {"action": "nonsense"}).status_code == 200


def test_bob_reads_only_his_own_communitys_log(as_user, alice, bob, people):
    log(alice, people.wang)
    html = as_user(bob).get(URL).content.decode()
    assert "王玉枝" not in html
    assert "暂无记录" in html


@pytest.mark.parametrize("role", ["volunteer", "desk_staff", "grid_worker"])
def test_other_roles_may_not_read_the_log(as_user, roles, role):
    assert as_user(getattr(roles, role)).get(URL).status_code == 403


def test_the_log_pages_and_keeps_its_query_count(as_user, alice, binxi):
    client = as_user(alice)
    log(alice, ResidentFactory(community=binxi))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    count()  # the first request reads the memberships into the cache (residents.versioned_cache)
    one = count()
    for resident in ResidentFactory.create_batch(24, community=binxi):
        log(alice, resident)
    assert count() == one
    assert client.get(URL).content.decode().count('class="list-group-item"') == 25
    for resident in ResidentFactory.create_batch(30, community=binxi):
        log(alice, resident)
    html = client.get(URL).content.decode()
    assert "第 1 页，共 2 页" in html
    assert client.get(URL, {"page": 2}).content.decode().count('class="list-group-item"') == 5


def test_an_export_entry_says_what_was_selected_in_the_readers_language(as_user, alice, people, binxi):
    filters = {"format": "csv", "grid_name": "第一网格", "compound": "冶金厂家属院", "flags": ["lives_alone"]}
    AccessLog.objects.create(
        actor=alice, community=binxi, action="export", detail="名册导出（CSV）", filters=filters, row_count=36
    )
    AccessLog.objects.create(
        actor=alice, community=binxi, action="export", filters={"format": "xlsx"}, row_count=9
    )
    chinese = as_user(alice).get(URL).content.decode()
    assert (
        '名册导出（CSV） · <span class="export-filter">网格 第一网格 · 小区 冶金厂家属院 · 独居老人'
        in chinese
    )
    assert "全部居民" in chinese
    english = as_user(alice).get(URL, headers={"accept-language": "en"}).content.decode()
    assert (
        'Roster export (CSV) · <span class="export-filter">grid 第一网格 · compound 冶金厂家属院' in english
    )
    assert "名册导出" not in english
