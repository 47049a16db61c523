"""On PostgreSQL, with a table of realistic size (20,000 requests, 2,000 residents, ANALYZEd): the
list's searches — a reference, phone digits, a name, pinyin — its filtered pages and their bounded
counts, and My requests for a supervisor, are read through indexes: no query the page runs scans
the requests table. The plans are the planner's own choice (nothing is switched off). A filter that
matches a third of the table (a category group) may be read in table order until the count's bound:
bounded work too, and the planner's right choice, so it is not pinned here."""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests.models import Category, ServiceRequest
from residents.models import Grid, Resident
from residents.pinyin import name_readings
from tests.conftest import require
from tests.factories import MembershipFactory, member
from tests.requests.views_support import as_user

__all__ = ["as_user"]  # fixtures

REQUESTS = 20_000
RESIDENTS = 2_000
TABLE = "requests_servicerequest"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
PROBLEMS = ("楼道灯不亮", "门前路面积水", "申请二孩补贴", "咨询医保缴费", "垃圾清运不及时")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉梅红志文春云海波小晓俊鹏辉凤燕玲丹萍宇浩凯欣"


def _insert_requests(n: int, values: dict[str, tuple[str, list]]) -> None:
    """INSERT … SELECT over generate_series(1, n) AS g(i): every column its model default unless
    `values` gives an SQL expression (and its parameters) for it."""
    columns, selects, params = [], [], []
    template = ServiceRequest()
    for field in ServiceRequest._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in values:
            expression, given = values[field.column]
            selects.append(expression)
            params += given
        else:
            value = getattr(template, field.attname)
            selects.append("%s")
            params.append(field.get_db_prep_save(value, connection) if value is not None else None)
    sql = (
        f"INSERT INTO {TABLE} ({', '.join(columns)}) "  # noqa: S608 — names from the model, values bound
        f"SELECT {', '.join(selects)} FROM generate_series(1, %s) AS g(i)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, n])


@pytest.fixture
def big(world):
    require("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database")
    rng = random.Random(16)
    binxi, bindong = world.binxi, world.bindong
    grids = [world.grid.pk] + [
        Grid.objects.create(community=binxi, name=f"第{i}网格").pk for i in range(2, 13)
    ]
    handlers = [member(binxi, "grid_worker", username=f"h{i}").pk for i in range(20)]
    names = [rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))) for _ in range(RESIDENTS)]
    Resident.objects.bulk_create(
        [
            Resident(
                community=binxi if i % 5 else bindong,
                grid_id=grids[i % len(grids)] if i % 5 else None,
                name=name,
                name_pinyin=name_readings(name),
                phone=f"+86139{rng.randrange(10**8):08d}",
            )
            for i, name in enumerate(names)
        ],
        batch_size=1000,
    )
    ours = list(Resident.objects.filter(community=binxi).values_list("pk", flat=True))
    categories = list(Category.objects.filter(is_group=False).values_list("pk", flat=True))
    logged = "%s::timestamptz - (g.i || ' minutes')::interval"
    # The newest 3,000 (about two days) by i % 10: 0–5 closed, 6 resolved, 7 in progress, 8 assigned,
    # 9 logged; older ones closed, but one in 50 still logged (and so overdue).
    spread = "(ARRAY['closed','closed','closed','closed','closed','closed','resolved','in_progress','assigned','logged'])[1 + g.i %% 10]"  # noqa: E501
    status = f"CASE WHEN g.i > 3000 AND g.i %% 50 <> 9 THEN 'closed' ELSE {spread} END"
    at = [timezone.now()]
    _insert_requests(
        REQUESTS,
        {
            "community_id": ("CASE WHEN g.i %% 5 = 0 THEN %s ELSE %s END", [bindong.pk, binxi.pk]),
            "reference": ("'BX-2025-' || lpad(g.i::text, 6, '0')", []),
            "source": (
                "(ARRAY['desk','desk','desk','phone','walk_in','hotline','grid_patrol'])[1 + g.i %% 7]",
                [],
            ),
            "resident_id": ("(%s::bigint[])[1 + (g.i * 7919) %% %s]", [ours, len(ours)]),
            "grid_id": ("(%s::bigint[])[1 + g.i %% 12]", [grids]),
            "category_id": ("(%s::bigint[])[1 + (g.i * 31) %% %s]", [categories, len(categories)]),
            "description": ("(%s::text[])[1 + g.i %% 5] || (g.i %% 997) || '号'", [list(PROBLEMS)]),
            "status": (status, []),
            "outcome": (f"CASE WHEN {status} = 'closed' THEN 'resolved' ELSE '' END", []),
            "handler_id": (
                "CASE WHEN g.i %% 10 = 9 THEN NULL ELSE (%s::bigint[])[1 + (g.i * 13) %% 20] END",
                [handlers],
            ),
            "logged_at": (logged, at),
            "updated_at": (logged, at),
            "resolve_due_at": (f"{logged} + interval '5 days'", at),
            "extension_pending": ("g.i <= 3000 AND g.i %% 100 = 7", []),
            "review_pending": ("g.i <= 3000 AND g.i %% 100 = 6", []),
            "rated_at": (f"CASE WHEN g.i <= 3000 AND g.i %% 100 = 6 THEN {logged} END", at),
            "resolved_at": (f"CASE WHEN g.i %% 10 < 7 THEN {logged} + interval '1 day' END", at),
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute("ANALYZE residents_resident")
    return {"grids": grids, "handlers": handlers, "residents": ours, "categories": categories}


def _plans(client, url, query) -> list[tuple[str, str]]:
    """Each query the page ran that reads the requests table, with its plan."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query)
    assert response.status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for captured in ctx.captured_queries:
            sql = captured["sql"]
            if TABLE not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plans.append((sql, "\n".join(line for (line,) in cursor.fetchall())))
    assert plans, f"{query}: the page read no requests"
    return plans


def _assert_no_seq_scan(client, url, query) -> None:
    for sql, plan in _plans(client, url, query):
        assert f"Seq Scan on {TABLE}" not in plan, f"{query}\n{sql}\n{plan}"


def test_searches_filters_counts_and_my_requests_read_indexes(world, big, as_user, monkeypatch):
    """(One test: the table is seeded once.)"""
    client = as_user(world.supervisor)
    url = reverse("requests:list")
    resident = Resident.objects.get(pk=big["residents"][17])
    searches = [
        {"q": "BX-2025-012345"},  # a reference, exact
        {"q": "bx 2025 12345"},  # … as typed
        {"q": "12345"},  # its number alone, or phone digits
        {"q": resident.phone[-4:]},  # the last 4
        {"q": resident.phone[3:]},  # the whole mobile
        {"q": resident.name},  # a name
        {"q": resident.name[:2]},  # part of it
        {"q": resident.name_pinyin.split()[0]},  # full pinyin
        {"q": resident.name_pinyin.split()[1].lstrip(":")},  # initials
        {"q": "路面积水417号", "descriptions": "on"},  # words of a description, when asked
    ]
    filters = [
        {"grid": big["grids"][3]},
        {"handler": big["handlers"][5]},
        {"category": big["categories"][2]},
        {"source": "hotline"},
        {"status": "in_progress"},
        {"status": "logged", "grid": big["grids"][1]},
        {"overdue": "on"},
        {"resident": resident.pk},
    ]
    for query in searches + filters:
        _assert_no_seq_scan(client, url, query)
    _assert_no_seq_scan(client, reverse("requests:mine"), {})
    _assert_no_seq_scan(client, reverse("home"), {})  # what waits for the supervisor, counted
    # A street office supervises both communities: its return visits are read oldest first across
    # both (request_awaiting_visit_all), its counts likewise.
    street = member(world.binxi, "supervisor", username="street")
    MembershipFactory(user=street, community=world.bindong, role="supervisor")
    street_client = as_user(street)
    _assert_no_seq_scan(street_client, reverse("requests:mine"), {})
    _assert_no_seq_scan(street_client, reverse("home"), {})

    # Past the bound the list says so instead of counting every row (COUNT over a LIMIT-ed subquery).
    monkeypatch.setattr("requests.views.common.COUNT_BOUND", 5_000)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "5,000+ requests" in html
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "inboxitem" not in q["sql"]]
    assert len(counts) == 1 and re.search(r"LIMIT 5001\b", counts[0]), counts
