"""党员联户 and 志愿服务: linking households to a volunteer, visits, and the hours the records give."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from desks import household_selectors as selectors
from desks.household_models import HoursCorrection, Visit
from desks.services.common import DeskError
from desks.services.households import hours_correct, link_create, link_end, visit_record
from requests.models import ServiceRequest
from tests.desks.factories import DeskSessionFactory
from tests.factories import ResidentFactory, member

pytestmark = pytest.mark.django_db

NOV_1 = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(binxi, bindong, alice, bob):
    from types import SimpleNamespace

    return SimpleNamespace(
        supervisor=alice,
        volunteer=member(binxi, "volunteer", username="zhang", last_name="张", first_name="党员"),
        other_volunteer=member(binxi, "volunteer", username="li", last_name="李", first_name="党员"),
        third=member(binxi, "volunteer", username="zhao", last_name="赵", first_name="党员"),
        desk_staff=member(binxi, "desk_staff", username="desk"),
        outsider=member(bindong, "volunteer", username="outsider"),
        building_3=[
            ResidentFactory(community=binxi, compound="冶金厂家属院", building="3", unit="2", room=f"50{i}")
            for i in range(1, 4)
        ],
        elsewhere=ResidentFactory(community=binxi, compound="滨河小区", building="1", unit="1", room="101"),
    )


def link_building(by, community, volunteer, building="3", **dates):
    dates.setdefault("starts_on", NOV_1)
    return link_create(
        by=by,
        community=community,
        member=volunteer,
        kind="building",
        compound="冶金厂家属院",
        building=building,
        **dates,
    )


def test_a_household_has_at_most_two_links_at_a_time(binxi, people):
    first = link_building(people.supervisor, binxi, people.volunteer)
    link_create(
        by=people.supervisor,
        community=binxi,
        member=people.other_volunteer,
        kind="unit",
        compound="冶金厂家属院",
        building="3",
        unit="2",
        starts_on=NOV_1,
    )
    with pytest.raises(DeskError, match="已有两名联户人"):
        link_building(people.supervisor, binxi, people.third)
    # Once one link has ended, the household may take another from the next day.
    link_end(by=people.supervisor, link=first, ends_on=dt.date(2026, 12, 31))
    link_building(people.supervisor, binxi, people.third, starts_on=dt.date(2027, 1, 1))
    with pytest.raises(DeskError):
        link_building(people.supervisor, binxi, people.third, starts_on=dt.date(2026, 12, 1))


def test_a_link_needs_sensible_dates_a_place_with_residents_and_a_supervisor(binxi, people):
    with pytest.raises(ValidationError) as refused:
        link_building(people.supervisor, binxi, people.volunteer, ends_on=dt.date(2026, 10, 1))
    assert "ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        link_building(people.supervisor, binxi, people.volunteer, building="99")
    assert "building" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        link_building(people.desk_staff, binxi, people.volunteer)
    with pytest.raises(ValidationError) as refused:
        link_building(people.supervisor, binxi, people.outsider)
    assert "member" in refused.value.message_dict


def test_not_visited_within_thirty_days_counts_across_a_month_end(binxi, people):
    link_building(people.supervisor, binxi, people.volunteer, starts_on=dt.date(2026, 10, 1))
    first = people.building_3[0]
    Visit.objects.create(
        community=binxi,
        resident=first,
        visitor=people.volunteer,
        visited_on=dt.date(2026, 10, 31),
        minutes=20,
    )

    def due(today):
        rows = selectors.households(community_id=binxi.pk, member_id=people.volunteer.pk, today=today)
        return {h.residents[0].pk: h.due(today, 30) for h in rows}

    assert due(dt.date(2026, 11, 30))[first.pk] is False  # 30 days after 31 October
    assert due(dt.date(2026, 12, 1))[first.pk] is True  # 31 days
    assert due(dt.date(2026, 11, 30))[people.building_3[1].pk] is True  # never visited
    assert people.elsewhere.pk not in due(dt.date(2026, 11, 30))


def test_hours_come_from_closed_sessions_and_visits_and_a_correction_keeps_its_reason(binxi, people):
    session = DeskSessionFactory(
        community=binxi,
        date=dt.date(2026, 11, 10),
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 30),
        status="closed",
        team=[people.volunteer, people.other_volunteer],
    )
    DeskSessionFactory(community=binxi, date=dt.date(2026, 11, 11), status="open", team=[people.volunteer])
    Visit.objects.create(
        community=binxi, resident=people.building_3[1], visitor=people.volunteer, visited_on=NOV_1, minutes=30
    )
    lines = selectors.hours_lines(
        community_id=binxi.pk, member_ids=[people.volunteer.pk], first=NOV_1, last=dt.date(2026, 11, 30)
    )[people.volunteer.pk]
    assert Decimal("2.5") in [line.hours for line in lines]  # the closed session, 09:00–11:30
    assert Decimal("0.5") in [line.hours for line in lines]  # the 30-minute visit
    with pytest.raises(ValidationError):
        hours_correct(
            by=people.supervisor, session=session, member=people.volunteer, hours=Decimal("1"), reason=" "
        )
    with pytest.raises(PermissionDenied):
        hours_correct(
            by=people.desk_staff, session=session, member=people.volunteer, hours=Decimal("1"), reason="早退"
        )
    hours_correct(
        by=people.supervisor, session=session, member=people.volunteer, hours=Decimal("3"), reason="搬桌"
    )
    hours_correct(
        by=people.supervisor,
        session=session,
        member=people.volunteer,
        hours=Decimal("2"),
        reason="早退一小时",
    )
    lines = selectors.hours_lines(
        community_id=binxi.pk,
        member_ids=[people.volunteer.pk, people.other_volunteer.pk],
        first=NOV_1,
        last=dt.date(2026, 11, 30),
    )
    corrected = [line for line in lines[people.volunteer.pk] if line.session]
    assert [(line.hours, line.corrected.reason) for line in corrected] == [(Decimal("2"), "早退一小时")]
    assert [line.hours for line in lines[people.other_volunteer.pk]] == [Decimal("2.5")]  # untouched
    assert HoursCorrection.objects.count() == 2  # both corrections are kept, with their reasons


def test_a_visit_is_never_in_the_future_and_needs_a_member(binxi, people):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        visit_record(
            by=people.volunteer, resident=people.building_3[0], visited_on=tomorrow, mode="phone", minutes=5
        )
    assert "visited_on" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        visit_record(
            by=people.outsider,
            resident=people.building_3[0],
            visited_on=dt.date.today(),
            mode="phone",
            minutes=5,
        )


@pytest.fixture
def categories(db):
    from importlib import import_module

    from django.apps import apps

    import_module("requests.migrations.0003_categories").load(apps, None)


def test_a_volunteer_records_a_visit_that_also_logs_a_request(client, binxi, people, categories):
    link_building(people.supervisor, binxi, people.volunteer)
    client.force_login(people.volunteer)
    resident = people.building_3[0]
    page = client.get(reverse("desks:households"))
    assert page.status_code == 200 and resident.name in page.content.decode()
    from requests.models import Category

    answer = client.post(
        reverse("requests:visit_create"),
        {
            "resident": resident.pk,
            "visited_on": dt.date.today().isoformat(),
            "mode": "in_person",
            "minutes": "20",
            "note": "老人独居，身体尚可",
            "category": Category.objects.get(code="repair").pk,
            "description": "厨房水管漏水",
        },
    )
    sr = ServiceRequest.objects.get()
    assert answer.status_code == 302 and sr.source == "household_visit" and sr.resident == resident
    visit = Visit.objects.get()
    assert visit.request_reference == sr.reference and visit.visitor == people.volunteer
    # A description without a category is refused next to the field, and nothing is saved.
    refused = client.post(
        reverse("requests:visit_create"),
        {
            "resident": resident.pk,
            "visited_on": dt.date.today().isoformat(),
            "mode": "phone",
            "minutes": "5",
            "description": "x",
        },
    )
    assert refused.status_code == 200 and "category" in refused.context["form"].errors
    assert Visit.objects.count() == 1


def test_another_communitys_volunteer_sees_nothing(client, binxi, people):
    link = link_building(people.supervisor, binxi, people.volunteer)
    client.force_login(people.outsider)
    assert client.get(reverse("desks:households"), {"community": binxi.pk}).status_code == 404
    assert client.get(reverse("desks:resident_households", args=[people.building_3[0].pk])).status_code == 404
    assert (
        client.post(
            reverse("desks:household_link_end", args=[link.pk]), {"ends_on": "2026-12-01"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("requests:visit_create"), {"resident": people.building_3[0].pk}).status_code == 404
    )
    client.force_login(people.volunteer)
    assert client.get(reverse("desks:household_links")).status_code == 403  # only supervisors link


def test_the_hours_export_reads_back_cell_by_cell(client, binxi, people):
    DeskSessionFactory(
        community=binxi,
        date=dt.date(2026, 3, 4),
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
        status="closed",
        team=[people.volunteer],
    )
    Visit.objects.create(
        community=binxi,
        resident=people.building_3[0],
        visitor=people.volunteer,
        visited_on=dt.date(2026, 5, 6),
        minutes=90,
    )
    client.force_login(people.supervisor)
    response = client.get(reverse("desks:team_hours"), {"year": "2026", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0].value: [cell.value for cell in row[1:]] for row in sheet.iter_rows(min_row=2)}
    assert rows["张党员"][2] == 3.0  # March: the session
    assert rows["张党员"][4] == 1.5  # May: the visit
    assert rows["张党员"][12] == 4.5  # the year
    assert rows["李党员"][12] == 0.0


def test_my_households_costs_the_same_for_one_and_twenty_five(client, binxi, people):
    link_building(people.supervisor, binxi, people.volunteer)
    client.force_login(people.volunteer)
    url = reverse("desks:households")
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries()
    for i in range(25):
        resident = ResidentFactory(
            community=binxi, compound="冶金厂家属院", building="3", unit="1", room=f"{i}01"
        )
        Visit.objects.create(community=binxi, resident=resident, visitor=people.volunteer, visited_on=NOV_1)
    assert queries() == one


def test_the_dashboard_and_the_report_count_links_visits_and_hours(client, binxi, people):
    from django.utils import timezone

    today = timezone.localdate()
    link_building(people.supervisor, binxi, people.volunteer, starts_on=today - dt.timedelta(days=90))
    Visit.objects.create(
        community=binxi, resident=people.building_3[0], visitor=people.volunteer, visited_on=today, minutes=60
    )
    Visit.objects.create(
        community=binxi,
        resident=people.building_3[1],
        visitor=people.volunteer,
        visited_on=today - dt.timedelta(days=40),
        minutes=30,
    )
    client.force_login(people.supervisor)
    query = {
        "period": "custom",
        "date_from": (today - dt.timedelta(days=60)).isoformat(),
        "date_to": today.isoformat(),
    }
    panel = client.get(reverse("dashboard:index"), query).context["households"]
    assert (panel["linked"], panel["not_visited"], panel["visits"]) == (3, 2, 2)
    assert panel["hours"] == Decimal("1.5")
    assert [(row["name"], row["n"]) for row in panel["per_volunteer"]] == [("张党员", 2)]
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("dashboard:report"), {**query, "format": "xlsx"}).content)
    )[binxi.name]
    cells = {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value}
    assert cells["联户数"] == 3 and cells["走访次数"] == 2 and cells["志愿服务时长"] == 1.5
