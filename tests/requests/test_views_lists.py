"""The request lists — all requests with their filters, *My requests*, the desk-session and resident
fragments — scoped to the user's communities, phones masked, and the same number of queries at 1
row as at 25."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from requests.models import ServiceRequest
from requests.services import request_accept, request_assign
from tests.factories import ResidentFactory
from tests.requests.conftest import logged
from tests.requests.views_support import EN, as_user, count_queries, session

__all__ = ["as_user", "session"]  # fixtures

LIST = reverse("requests:list")


def references(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-reference="([^"]+)"', html))


def test_the_list_shows_only_the_users_communities_with_masked_phones(world, as_user):
    sr = logged(world)
    theirs = logged(
        world,
        actor=world.outsider,
        community=world.bindong,
        resident=world.stranger,
        description="门口积水",
    )
    html = as_user(world.supervisor).get(LIST).content.decode()
    assert references(html) == {sr.reference}
    assert world.wang.masked_phone in html and world.wang.phone not in html and "13912345678" not in html
    assert references(as_user(world.outsider).get(LIST).content.decode()) == {theirs.reference}


def test_filters(world, session, as_user):
    wang, zhang = world.wang, ResidentFactory(community=world.binxi, name="张建国", phone="+8613700001234")
    at_desk = logged(world, desk_session=session, category=world.repair)  # → the grid worker
    by_phone = logged(world, resident=zhang, source="phone", category=world.subsidy, description="二孩补贴")
    old = logged(world, description="去年的")
    ServiceRequest.objects.filter(pk=old.pk).update(logged_at=timezone.now() - dt.timedelta(days=40))
    overdue = logged(world, category=world.urgent)
    request_accept(actor=world.grid_worker, request_id=overdue.pk)
    ServiceRequest.objects.filter(pk=overdue.pk).update(resolve_due_at=timezone.now() - dt.timedelta(hours=1))
    client = as_user(world.supervisor)

    def shown(**query):
        return references(client.get(LIST, query).content.decode())

    everything = {at_desk.reference, by_phone.reference, old.reference, overdue.reference}
    assert shown() == everything
    assert shown(session=session.pk) == {at_desk.reference}
    assert shown(source="phone") == {by_phone.reference}
    assert shown(category=world.subsidy.pk) == {by_phone.reference}
    assert shown(category=world.subsidy.parent_id) == {by_phone.reference}  # a group: its categories
    assert shown(status="assigned") == {at_desk.reference}
    assert shown(handler=world.grid_worker.pk) == {at_desk.reference, overdue.reference}
    assert shown(grid=world.grid.pk) == everything - {by_phone.reference}
    assert shown(overdue="on") == {overdue.reference}
    today = timezone.localdate()
    assert shown(date_from=today - dt.timedelta(days=1)) == everything - {old.reference}
    assert shown(date_to=today - dt.timedelta(days=30)) == {old.reference}
    assert shown(resident=zhang.pk) == {by_phone.reference}
    # search: the reference, its last digits, a name, pinyin, phone digits
    assert shown(q=old.reference) == {old.reference}
    assert shown(q=old.reference.lower()) == {old.reference}
    assert shown(q="张建") == {by_phone.reference}
    assert shown(q="zjg") == {by_phone.reference}
    assert shown(q="01234") == {by_phone.reference}
    assert shown(q="1234") == everything  # both phones hold 1234
    assert shown(q="137 0000 1234") == {by_phone.reference}
    assert shown(q="5678") == everything - {by_phone.reference}  # 王玉枝's phone ends in 5678
    # nonsense is ignored, never a 500
    assert shown(status="nonsense", category="x", date_from="2025-13-45", page="abc") == everything
    assert wang.name in client.get(LIST).content.decode()


def test_another_communitys_filter_values_show_nothing_of_it(world, as_user):
    logged(world)
    bob = as_user(world.outsider)
    html = bob.get(LIST, {"community": world.binxi.pk, "grid": world.grid.pk}).content.decode()
    assert references(html) == set() and "王玉枝" not in html


def test_pages_of_25(world, as_user):
    made = [logged(world, description=f"第{n}件") for n in range(27)]
    client = as_user(world.supervisor)
    first = references(client.get(LIST).content.decode())
    second = references(client.get(LIST, {"page": 2}).content.decode())
    assert len(first) == 25 and len(second) == 2
    assert first | second == {sr.reference for sr in made}
    assert "27 requests" in client.get(LIST, **EN).content.decode()


def queries_at(client, url, make, rows):
    for n in range(rows):
        make(n)
    count_queries(client, url)  # the first look may fill per-process caches
    return count_queries(client, url)


@pytest.mark.parametrize("page", ["list", "session", "resident"])
def test_list_and_fragments_cost_the_same_at_1_and_25_rows(world, session, as_user, page):
    """Each page measured at 1 row, then with 24 more (25 rows): the same number of queries."""
    client = as_user(world.supervisor)
    url, make = {
        "list": (LIST, lambda n: logged(world, description=f"第{n}件", category=world.repair)),
        "session": (
            reverse("requests:session_requests", args=[session.pk]),
            lambda n: logged(world, desk_session=session, description=f"台{n}", category=world.repair),
        ),
        "resident": (
            reverse("requests:resident_requests", args=[world.wang.pk]),
            lambda n: logged(world, description=f"居{n}", category=world.repair),
        ),
    }[page]
    at_one = queries_at(client, url, make, 1)
    at_many = queries_at(client, url, make, 24)
    assert len(references(client.get(url).content.decode())) == 25
    assert at_one == at_many, f"{page}: {at_one} queries at 1 row, {at_many} at 25"


def test_my_requests_costs_the_same_at_1_and_25_rows(world, as_user):
    handler = as_user(world.handler)
    url = reverse("requests:mine")

    def assigned(n):
        sr = logged(world, description=f"派{n}")
        request_assign(actor=world.supervisor, request_id=sr.pk, handler=world.handler)

    at_one = queries_at(handler, url, assigned, 1)
    at_many = queries_at(handler, url, assigned, 24)
    assert at_one == at_many
    supervisor = as_user(world.supervisor)  # and the supervisor's "to assign", 1 and 25 rows
    at_one = queries_at(supervisor, url, lambda n: logged(world, description=f"待{n}"), 1)
    at_many = queries_at(supervisor, url, lambda n: logged(world, description=f"待{n}"), 24)
    assert at_one == at_many


def test_my_requests_sections(world, as_user):
    to_accept = logged(world, description="待签收")
    request_assign(actor=world.supervisor, request_id=to_accept.pk, handler=world.handler)
    overdue = logged(world, description="已超期")
    request_assign(actor=world.supervisor, request_id=overdue.pk, handler=world.handler)
    request_accept(actor=world.handler, request_id=overdue.pk)
    ServiceRequest.objects.filter(pk=overdue.pk).update(resolve_due_at=timezone.now() - dt.timedelta(hours=2))
    soon = logged(world, description="快到期")
    request_assign(actor=world.supervisor, request_id=soon.pk, handler=world.handler)
    request_accept(actor=world.handler, request_id=soon.pk)
    ServiceRequest.objects.filter(pk=soon.pk).update(resolve_due_at=timezone.now() + dt.timedelta(hours=3))
    unassigned = logged(world, description="待派单")
    html = as_user(world.handler).get(reverse("requests:mine")).content.decode()

    def section(name):
        start = html.index(f'id="section-{name}"')
        return references(html[start : html.index("</section>", start)])

    assert section("to_accept") == {to_accept.reference}
    assert section("overdue") == {overdue.reference}
    assert section("due_soon") == {soon.reference}
    assert 'id="section-to_assign"' not in html  # not a supervisor
    supervisor_html = as_user(world.supervisor).get(reverse("requests:mine")).content.decode()
    assert unassigned.reference in supervisor_html and 'id="section-to_assign"' in supervisor_html


def test_the_session_fragment(world, session, as_user):
    here = logged(world, desk_session=session)
    elsewhere = logged(world, description="不在这里")
    client = as_user(world.desk_staff)
    url = reverse("requests:session_requests", args=[session.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert references(html) == {here.reference} and elsewhere.reference not in html
    assert "<html" not in html  # a fragment
    assert f"{reverse('requests:create')}?session={session.pk}" in html  # the desk is open: log one here
    assert world.wang.phone not in html and world.wang.masked_phone in html
    assert as_user(world.outsider).get(url).status_code == 404


def test_the_desk_hub_loads_the_fragment(world, session, as_user):
    html = as_user(world.desk_staff).get(reverse("desks:session_detail", args=[session.pk])).content.decode()
    assert f'hx-get="{reverse("requests:session_requests", args=[session.pk])}"' in html


def test_the_resident_fragment(world, as_user):
    mine = logged(world)
    other = logged(world, resident=ResidentFactory(community=world.binxi), description="别人的")
    url = reverse("requests:resident_requests", args=[world.wang.pk])
    html = as_user(world.volunteer).get(url).content.decode()
    assert references(html) == {mine.reference} and other.reference not in html
    assert f"community={world.binxi.pk}&amp;resident={world.wang.pk}" in html  # log one for them
    assert as_user(world.outsider).get(url).status_code == 404


def test_residents_served_at_sessions_in_one_query(world, session, django_assert_num_queries):
    from requests.selectors import residents_served_at
    from tests.desks.factories import DeskSessionFactory

    other_session = DeskSessionFactory(community=world.binxi, status="open")
    logged(world, desk_session=session)
    logged(world, desk_session=session, description="同一人第二件")
    logged(world, desk_session=session, resident=None, description="匿名")
    logged(world, desk_session=other_session, resident=ResidentFactory(community=world.binxi))
    with django_assert_num_queries(1):
        served = residents_served_at([session.pk, other_session.pk])
    assert served[session.pk] == {world.wang.pk} and len(served[other_session.pk]) == 1
