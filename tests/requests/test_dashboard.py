"""The dashboard's figures on a small hand-built month (DESIGN §5), the list behind each number,
scoping, fixed query counts and the monthly report read back cell by cell."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from requests.dashboard import selectors
from requests.dashboard.forms import period_of
from requests.models import Category
from tests.factories import CommunityFactory, GridFactory, MembershipFactory, member
from tests.requests.conftest import shanghai
from tests.requests.conftest import summed_row as row

pytestmark = pytest.mark.django_db

NOV = period_of("custom", None, shanghai(2026, 11, 1).date(), shanghai(2026, 11, 30).date())[0]
AT = shanghai(2026, 12, 2, 10, 0)


def closed(world, outcome="resolved", **fields):
    return row(world, status="closed", outcome=outcome, handler=world.handler, **fields)


def figures(world, community_ids=None):
    scope = selectors.Scope(tuple(community_ids or [world.binxi.pk]))
    return selectors.figures(scope, NOV, AT)


def test_response_rate_counts_deadlines_and_acceptances_of_the_period(world):
    row(
        world,
        status="in_progress",
        accept_due_at=shanghai(2026, 11, 5, 9),
        accepted_at=shanghai(2026, 11, 4, 9),
    )
    row(
        world,
        status="in_progress",
        accept_due_at=shanghai(2026, 11, 5, 9),
        accepted_at=shanghai(2026, 11, 6, 9),
    )
    row(world, status="assigned", accept_due_at=shanghai(2026, 11, 30, 23))  # due in the period, not accepted
    # Due before the period, accepted (late) in it: counted, not on time.
    row(
        world,
        status="in_progress",
        accept_due_at=shanghai(2026, 10, 31, 9),
        accepted_at=shanghai(2026, 11, 1, 9),
    )
    closed(world, outcome="answered_on_the_spot", closed_at=shanghai(2026, 11, 10, 10))  # on time
    closed(
        world,
        outcome="withdrawn",
        accept_due_at=shanghai(2026, 11, 5, 9),
        closed_at=shanghai(2026, 11, 5, 10),
    )
    row(world, status="assigned", accept_due_at=shanghai(2026, 12, 1, 0, 30))  # next period
    response = figures(world)["response"]
    assert (response.hit, response.base) == (2, 5)
    assert response.value == pytest.approx(0.4)


def test_on_time_resolution_follows_extensions_and_12345_deadlines_and_leaves_out_rejected(world):
    row(
        world,
        status="resolved",
        resolve_due_at=shanghai(2026, 11, 10, 17),
        resolved_at=shanghai(2026, 11, 9, 9),
    )
    row(
        world,
        status="resolved",
        resolve_due_at=shanghai(2026, 11, 10, 17),
        resolved_at=shanghai(2026, 11, 12, 9),
    )
    # Due after the period but resolved in it: counted, on time.
    row(
        world,
        status="resolved",
        resolve_due_at=shanghai(2026, 12, 5, 17),
        resolved_at=shanghai(2026, 11, 20, 9),
    )
    # An approved extension moved the deadline from the 10th to the 20th: on time.
    row(
        world,
        status="resolved",
        original_resolve_due_at=shanghai(2026, 11, 10, 17),
        resolve_due_at=shanghai(2026, 11, 20, 17),
        resolved_at=shanghai(2026, 11, 15, 9),
    )
    # A 12345 order keeps the hotline's deadline; resolved after it.
    row(
        world,
        status="resolved",
        source="hotline",
        hotline_reference="12345-A",
        resolve_due_at=shanghai(2026, 11, 3, 12),
        resolved_at=shanghai(2026, 11, 3, 15),
    )
    closed(
        world, outcome="rejected", resolve_due_at=shanghai(2026, 11, 10, 17), closed_at=shanghai(2026, 11, 4)
    )
    row(world, status="in_progress", resolve_due_at=shanghai(2026, 11, 25, 17))  # overdue, still open
    on_time = figures(world)["on_time"]
    assert (on_time.hit, on_time.base) == (3, 6)


def test_satisfaction_counts_rated_closures_of_the_period_and_shows_a_dash_without_any(world):
    assert figures(world)["satisfaction"].value is None
    for rating in ("satisfied", "fairly_satisfied", "dissatisfied", "unreachable", ""):
        closed(world, rating=rating, closed_at=shanghai(2026, 11, 15, 9))
    closed(world, rating="satisfied", closed_at=shanghai(2026, 10, 31, 9))  # closed last month
    satisfaction = figures(world)["satisfaction"]
    assert (satisfaction.hit, satisfaction.base) == (2, 3)


def test_a_reopened_request_is_not_closed_and_counts_again_when_it_closes(world):
    row(
        world,
        status="in_progress",
        logged_at=shanghai(2026, 11, 2, 9),
        reopened_at=shanghai(2026, 11, 20, 9),
        accepted_at=shanghai(2026, 11, 2, 10),
        accept_due_at=shanghai(2026, 11, 3, 9),
    )
    numbers = figures(world)
    assert numbers["closed"].value == 0
    assert numbers["open_now"].value == 1


def test_first_contact_resolution_and_time_to_close(world):
    for hours in (1, 2, 3, 10, 50):
        logged_at = shanghai(2026, 11, 3, 8)
        closed(world, logged_at=logged_at, closed_at=logged_at + timedelta(hours=hours))
    closed(
        world,
        outcome="answered_on_the_spot",
        logged_at=shanghai(2026, 11, 4, 9),
        closed_at=shanghai(2026, 11, 4, 9),
    )
    closed(
        world, outcome="withdrawn", logged_at=shanghai(2026, 11, 4, 9), closed_at=shanghai(2026, 11, 4, 19)
    )
    first_contact = figures(world)["first_contact"]
    assert (first_contact.hit, first_contact.base) == (1, 6)
    took = selectors.time_to_close(selectors.Scope((world.binxi.pk,)), NOV)
    # 0, 1, 2, 3, 10, 50 hours: median 2.5; 90th percentile 10 + 0.5 × 40 = 30.
    assert took == {"median": 2.5, "p90": 30.0}


def test_overdue_now_and_open_now(world):
    row(world, status="in_progress", resolve_due_at=AT - timedelta(hours=1))
    row(world, status="logged", resolve_due_at=AT - timedelta(days=3))
    row(world, status="in_progress", resolve_due_at=AT + timedelta(hours=1))
    row(world, status="resolved", resolve_due_at=AT - timedelta(days=3), resolved_at=AT - timedelta(days=4))
    numbers = figures(world)
    assert numbers["overdue_now"].value == 2
    assert numbers["open_now"].value == 4


def test_each_number_links_to_exactly_the_requests_behind_it(world, client):
    row(
        world,
        status="in_progress",
        accept_due_at=shanghai(2026, 11, 5, 9),
        accepted_at=shanghai(2026, 11, 4, 9),
    )
    row(world, status="assigned", accept_due_at=shanghai(2026, 11, 6, 9))
    closed(world, outcome="answered_on_the_spot", closed_at=shanghai(2026, 11, 10, 10))
    closed(
        world, rating="satisfied", closed_at=shanghai(2026, 11, 15, 9), resolved_at=shanghai(2026, 11, 14, 9)
    )
    row(world, community=world.bindong, status="assigned", accept_due_at=shanghai(2026, 11, 6, 9))
    client.force_login(world.supervisor)
    page = client.get(
        reverse("dashboard:index"), {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    assert page.status_code == 200
    links = page.context["links"]
    for name, number in page.context["numbers"].items():
        if name in ("open_now", "overdue_now"):
            continue
        for part, expected in (("base", number.base), ("hit", number.hit)):
            listed = client.get(links[name][part])
            assert listed.status_code == 200
            assert listed.context["page"].paginator.count == expected, (name, part)


def test_a_supervisor_sees_only_their_communitys_figures(world, client):
    row(world, status="logged", logged_at=shanghai(2026, 11, 3, 9))
    row(world, community=world.bindong, status="logged", logged_at=shanghai(2026, 11, 3, 9))
    row(world, community=world.bindong, status="logged", logged_at=shanghai(2026, 11, 4, 9))
    query = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    client.force_login(world.supervisor)
    assert client.get(reverse("dashboard:index"), query).context["numbers"]["logged"].value == 1
    # Another community's dashboard, chart, report and comparison: 404.
    for name in ("dashboard:index", "dashboard:report", "dashboard:communities"):
        assert client.get(reverse(name), {**query, "community": world.bindong.pk}).status_code == 404
    report = client.get(reverse("dashboard:report"), {**query, "format": "xlsx"})
    sheets = load_workbook(io.BytesIO(report.content)).sheetnames
    assert sheets == ["滨西社区"]


def test_the_street_office_sees_its_communities_side_by_side(world, client):
    street = member(world.binxi, "supervisor", username="street")
    from tests.factories import MembershipFactory

    MembershipFactory(user=street, community=world.bindong, role="supervisor")
    row(world, status="logged", logged_at=shanghai(2026, 11, 3, 9))
    row(world, community=world.bindong, status="logged", logged_at=shanghai(2026, 11, 3, 9))
    row(world, community=world.bindong, status="logged", logged_at=shanghai(2026, 11, 4, 9))
    client.force_login(street)
    query = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    page = client.get(reverse("dashboard:communities"), {**query, "sort": "logged"})
    assert [(r["community"].name, r["numbers"]["logged"].value) for r in page.context["rows"]] == [
        ("滨东社区", 2),
        ("滨西社区", 1),
    ]
    both = client.get(reverse("dashboard:index"), query)
    assert both.context["numbers"]["logged"].value == 3


def test_staff_who_do_not_supervise_get_403_and_strangers_404(world, client):
    client.force_login(world.desk_staff)
    assert client.get(reverse("dashboard:index")).status_code == 403
    outsider = member(world.bindong, "desk_staff", username="outsider-desk")
    client.force_login(outsider)
    assert client.get(reverse("dashboard:index"), {"community": world.binxi.pk}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"period": "custom", "date_from": "2026-11-30", "date_to": "2026-11-01"},
        {"period": "nonsense", "grid": "99999999999999999999", "handler": "NaN", "source": "\x00"},
        {"category": "x" * 20000, "route": "-1"},
    ],
)
def test_hostile_values_are_refused_next_to_the_field(world, client, query):
    client.force_login(world.supervisor)
    page = client.get(reverse("dashboard:index"), query)
    assert page.status_code == 200
    assert page.context["form"].errors
    listed = client.get(
        reverse("requests:list"), {"figure": "response", "fig_from": "0001-01-01", "route": "9" * 30}
    )
    assert listed.status_code == 200


def _queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_handlers_grids_and_categories(world, client):
    client.force_login(world.supervisor)
    query = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    groups = list(Category.objects.filter(is_group=False)[:25])

    def add(n):
        for i in range(n):
            handler = member(world.binxi, "desk_staff")
            grid = GridFactory(community=world.binxi)
            row(
                world,
                status="in_progress",
                handler=handler,
                grid=grid,
                category=groups[i % len(groups)],
                accept_due_at=shanghai(2026, 11, 5, 9),
                accepted_at=shanghai(2026, 11, 4, 9),
                resolve_due_at=shanghai(2026, 11, 10, 9),
            )

    add(1)
    url = reverse("dashboard:index")
    _queries(client, url, query)  # the session, the calendar's cache: read once per process
    one = _queries(client, url, query)
    report_one = _queries(client, reverse("dashboard:report"), query)
    add(24)
    # New members outdate the cached memberships (residents.versioned_cache): read again once.
    _queries(client, url, query)
    assert _queries(client, url, query) == one
    assert _queries(client, reverse("dashboard:report"), query) == report_one


def test_a_street_office_of_three_communities_costs_what_one_of_two_does(world, client):
    """The dashboard and the comparison read every community of the scope in the same queries
    (household links and volunteer hours included)."""
    from desks.household_models import HouseholdLink

    street = member(world.binxi, "supervisor")

    def supervise_and_link(community, compound):
        MembershipFactory(user=street, community=community, role="supervisor")
        HouseholdLink.objects.create(
            community=community,
            member=street,
            kind="building",
            compound=compound,
            building="1",
            starts_on="2026-01-01",
            created_by=street,
        )

    supervise_and_link(world.bindong, "二小区")
    HouseholdLink.objects.create(
        community=world.binxi, member=street, kind="unit", compound="一小区", building="2", unit="1",
        starts_on="2026-01-01", created_by=street,
    )  # fmt: skip
    client.force_login(street)
    query = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    pages = [reverse("dashboard:index"), reverse("dashboard:communities")]
    for url in pages:
        _queries(client, url, query)  # the session, the calendar's cache
    two = [_queries(client, url, query) for url in pages]
    supervise_and_link(CommunityFactory(), "三小区")
    for url in pages:
        _queries(client, url, query)  # the memberships changed: read again once
    assert [_queries(client, url, query) for url in pages] == two
    assert len(client.get(pages[1], query).context["rows"]) == 3


def test_the_monthly_report_cells_equal_the_dashboard(world, client):
    repair = world.repair
    row(
        world,
        category=repair,
        status="in_progress",
        grid=world.grid,
        logged_at=shanghai(2026, 11, 3, 9),
        accept_due_at=shanghai(2026, 11, 4, 9),
        accepted_at=shanghai(2026, 11, 3, 10),
        resolve_due_at=shanghai(2026, 11, 10, 9),
    )
    closed(
        world,
        category=repair,
        grid=world.grid,
        logged_at=shanghai(2026, 11, 3, 9),
        accept_due_at=shanghai(2026, 11, 4, 9),
        accepted_at=shanghai(2026, 11, 3, 10),
        resolve_due_at=shanghai(2026, 11, 10, 9),
        resolved_at=shanghai(2026, 11, 8, 9),
        closed_at=shanghai(2026, 11, 9, 9),
        rating="fairly_satisfied",
    )
    closed(
        world,
        outcome="answered_on_the_spot",
        logged_at=shanghai(2026, 11, 5, 9),
        closed_at=shanghai(2026, 11, 5, 9),
    )
    client.force_login(world.supervisor)
    query = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    dashboard = client.get(reverse("dashboard:index"), query).context
    report = client.get(reverse("dashboard:report"), {**query, "format": "xlsx"})
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(report.content))["滨西社区"]
    assert sheet.freeze_panes == "A3"
    header = [cell.value for cell in sheet[2]]
    totals = dict(zip(header, [cell.value for cell in sheet[3]], strict=True))
    numbers = dashboard["numbers"]
    assert totals["登记数"] == numbers["logged"].value == 3
    assert totals["当场解答"] == numbers["first_contact"].hit == 1
    assert totals["按期办结"] == numbers["on_time"].hit == 1
    assert totals["满意率"] == "100.0%"
    grid_rows = {sheet.cell(r, 1).value: [c.value for c in sheet[r]] for r in range(4, sheet.max_row + 1)}
    assert grid_rows[world.grid.name][1] == 2  # two requests of 第一网格
    page = client.get(reverse("dashboard:report"), query)
    assert page.status_code == 200


def test_on_postgresql_an_index_serves_every_period_figure(world):
    """Each measured event of §5 has an index, so the period's rows are found without reading the
    table (the planner is told to avoid a sequential scan; with a missing index it cannot)."""
    from tests.conftest import require

    require("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database")
    from requests.dashboard.figures import period_filter

    scope = selectors.Scope((world.binxi.pk,))
    rows = scope.requests().filter(period_filter(NOV, AT)).values("id")
    from requests.dashboard.counting import _summed_rows
    from requests.models import RequestEvent

    summed = _summed_rows(scope, "", NOV, ("logged", "response")).values("id")
    events = RequestEvent.objects.filter(
        action__in=selectors.REMINDER_ACTIONS, created_at__gte=NOV.start, created_at__lt=NOV.end
    ).values("id")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for queryset, table in (
            (rows, "requests_servicerequest"),
            (events, "requests_requestevent"),
            (summed, "requests_dailyfigure"),
        ):
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
            assert f"Seq Scan on {table}" not in plan, plan


def test_the_sms_panel_counts_the_outbox_by_state(world, client):
    from residents.sms.models import SmsMessage

    for state in ("sent", "delivered", "delivered", "held", "unknown"):
        SmsMessage.objects.create(
            community=world.binxi,
            phone="+8613912345678",
            text="测试",
            state=state,
            created_at=shanghai(2026, 11, 10, 9),
        )
    SmsMessage.objects.create(
        community=world.bindong,
        phone="+8613912345679",
        text="测试",
        state="failed",
        created_at=shanghai(2026, 11, 10, 9),
    )
    client.force_login(world.supervisor)
    page = client.get(
        reverse("dashboard:index"), {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    counts = {row["state"]: row["n"] for row in page.context["sms"]}
    assert (counts["sent"], counts["delivered"], counts["held"], counts["unknown"], counts["failed"]) == (
        1,
        2,
        1,
        1,
        0,
    )
