"""Recording screenings: consent first, only the roles of DESIGN §4.2, readings checked, flags set."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from desks.health import Reading
from desks.models import Screening
from desks.services import DeskError, screening_record
from tests.desks.factories import DeskSessionFactory, ScreeningFactory
from tests.factories import ResidentFactory

EN = {"headers": {"accept-language": "en"}}


def new_url(session, resident):
    return reverse("desks:screening_create", args=[session.pk]) + f"?resident={resident.pk}"


def post_reading(client, session, resident, **values):
    data = {
        "resident": resident.pk,
        "systolic": "",
        "diastolic": "",
        "glucose": "",
        "glucose_kind": "",
        "notes": "",
    }
    data.update({k: str(v) for k, v in values.items()})
    return client.post(reverse("desks:screening_create", args=[session.pk]), data, **EN)


def test_a_permitted_volunteer_records_a_flagged_screening(as_user, staff, desk, open_session):
    client = as_user(staff.health_volunteer)
    page = client.get(new_url(open_session, desk.wang), **EN)
    assert page.status_code == 200
    assert "王玉枝" in page.content.decode()

    response = post_reading(
        client, open_session, desk.wang, systolic=150, diastolic=85, glucose="7.0", glucose_kind="fasting"
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.systolic, screening.diastolic, screening.glucose) == (150, 85, Decimal("7.0"))
    assert screening.bp_flagged and screening.glucose_flagged
    assert (screening.session, screening.community, screening.recorded_by) == (
        open_session,
        open_session.community,
        staff.health_volunteer,
    )
    hub = client.get(response["Location"], **EN).content.decode()
    assert "Screening recorded for 王玉枝. Flagged: blood pressure is high; blood glucose is high." in hub
    assert "150/85" in hub


@pytest.mark.parametrize(
    ("values", "bp", "glucose"),
    [
        ({"systolic": 139, "diastolic": 89}, False, False),
        ({"systolic": 140, "diastolic": 80}, True, False),
        ({"systolic": 120, "diastolic": 90}, True, False),
        ({"glucose": "6.9", "glucose_kind": "fasting"}, False, False),
        ({"glucose": "7.0", "glucose_kind": "fasting"}, False, True),
        ({"glucose": "11.0", "glucose_kind": "after_meal"}, False, False),
        ({"glucose": "11.1", "glucose_kind": "after_meal"}, False, True),
    ],
)
def test_flags_at_the_edges_through_the_form(as_user, alice, desk, open_session, values, bp, glucose):
    response = post_reading(as_user(alice), open_session, desk.wang, **values)
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.bp_flagged, screening.glucose_flagged) == (bp, glucose)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"systolic": 400, "diastolic": 80}, "400 mmHg is not a plausible systolic pressure (60–260)"),
        ({"glucose": "0", "glucose_kind": "fasting"}, "0 mmol/L is not a plausible blood glucose (1.0–35.0)"),
        (
            {"systolic": 80, "diastolic": 120},
            "The diastolic pressure (120) must be lower than the systolic (80)",
        ),
        ({"systolic": 120, "diastolic": 120}, "must be lower than the systolic"),
        ({"glucose": "6.5"}, "Say whether the glucose was measured fasting or after a meal."),
        ({"systolic": "abc", "diastolic": 80}, "Enter a whole number."),
        ({"glucose": "7.25", "glucose_kind": "fasting"}, "no more than 1 decimal place"),
        ({}, "Enter a blood pressure, a blood glucose, or both."),
    ],
)
def test_implausible_values_are_refused_next_to_the_field(
    as_user, alice, desk, open_session, values, message
):
    response = post_reading(as_user(alice), open_session, desk.wang, **values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Screening.objects.exists()


def test_the_form_speaks_chinese(as_user, alice, desk, open_session):
    response = as_user(alice).post(
        reverse("desks:screening_create", args=[open_session.pk]),
        {"resident": desk.wang.pk, "systolic": 400, "diastolic": 80},
    )
    assert "400 mmHg 不是合理的收缩压（60–260），请核对读数。" in response.content.decode()


def test_no_consent_means_nothing_is_recorded(as_user, alice, desk, open_session):
    client = as_user(alice)
    page = client.get(new_url(open_session, desk.zeng), **EN).content.decode()
    assert "has not agreed to health data being kept" in page
    assert '<fieldset id="screening-fields" disabled>' in page  # greyed out before anyone types
    response = post_reading(client, open_session, desk.zeng, systolic=120, diastolic=80)
    assert response.status_code == 200
    assert (
        "曾国强 has not agreed to health data being kept, so nothing was recorded."
        in response.content.decode()
    )
    assert not Screening.objects.exists()


def test_the_service_reads_consent_from_the_database(english, alice, desk, open_session):
    desk.wang.__class__.objects.filter(pk=desk.wang.pk).update(health_consent=False)  # withdrawn a moment ago
    with pytest.raises(DeskError, match="has not agreed"):
        screening_record(session=open_session, resident=desk.wang, by=alice, reading=Reading(120, 80))
    assert not Screening.objects.exists()


def test_a_volunteer_without_the_permission_gets_403_and_sees_no_readings(as_user, staff, desk, open_session):
    ScreeningFactory(session=open_session, resident=desk.wang, systolic=163, diastolic=99, bp_flagged=True)
    for user in (staff.volunteer, staff.desk_staff, staff.grid_worker, staff.administrator):
        client = as_user(user)
        assert client.get(new_url(open_session, desk.wang)).status_code == 403
        assert post_reading(client, open_session, desk.wang, systolic=120, diastolic=80).status_code == 403
        assert client.get(reverse("desks:resident_screenings", args=[desk.wang.pk])).status_code == 403
        hub = client.get(reverse("desks:session_detail", args=[open_session.pk]))
        assert hub.status_code == 200
        assert "163/99" not in hub.content.decode()
        assert 'id="screenings"' not in hub.content.decode()
        sheet = client.get(reverse("desks:session_sheet", args=[open_session.pk]))
        assert "163/99" not in sheet.content.decode()
        with pytest.raises(PermissionDenied):
            screening_record(session=open_session, resident=desk.wang, by=user, reading=Reading(120, 80))
    assert Screening.objects.count() == 1


def test_with_the_permission_the_readings_are_seen(as_user, staff, desk, open_session):
    ScreeningFactory(session=open_session, resident=desk.wang, systolic=163, diastolic=99, bp_flagged=True)
    for user in (staff.health_volunteer, staff.health_desk_staff):
        client = as_user(user)
        assert (
            "163/99" in client.get(reverse("desks:session_detail", args=[open_session.pk])).content.decode()
        )
        history = client.get(reverse("desks:resident_screenings", args=[desk.wang.pk]))
        assert history.status_code == 200 and "163/99" in history.content.decode()


def test_bob_gets_404_everywhere(as_user, bob, desk, open_session):
    ScreeningFactory(session=open_session, resident=desk.wang)
    client = as_user(bob)
    assert client.get(new_url(open_session, desk.wang)).status_code == 404
    assert post_reading(client, open_session, desk.wang, systolic=120, diastolic=80).status_code == 404
    assert client.get(reverse("desks:resident_screenings", args=[desk.wang.pk])).status_code == 404
    assert Screening.objects.count() == 1


def test_a_resident_of_another_community_cannot_be_screened_here(as_user, alice, bindong, open_session):
    stranger = ResidentFactory(community=bindong, health_consent=True)
    client = as_user(alice)
    assert client.get(new_url(open_session, stranger)).status_code == 404
    assert post_reading(client, open_session, stranger, systolic=120, diastolic=80).status_code == 404
    with pytest.raises(DeskError):
        screening_record(session=open_session, resident=stranger, by=alice, reading=Reading(120, 80))


@pytest.mark.parametrize("status", ["planned", "closed", "cancelled"])
def test_screenings_only_while_the_session_is_open(as_user, alice, desk, binxi, status):
    session = DeskSessionFactory(community=binxi, stop=desk.yejin, status=status)
    response = post_reading(as_user(alice), session, desk.wang, systolic=120, diastolic=80)
    assert response.status_code == 200
    assert "Screenings are recorded while the session is open." in response.content.decode()
    assert not Screening.objects.exists()
    page = as_user(alice).get(new_url(session, desk.wang)).content.decode()
    assert '<fieldset id="screening-fields" disabled>' in page


def test_an_open_session_and_a_consenting_resident_get_live_fields(as_user, alice, desk, open_session):
    page = as_user(alice).get(new_url(open_session, desk.wang)).content.decode()
    assert '<fieldset id="screening-fields">' in page


def test_without_a_resident_the_form_sends_you_to_find_one(as_user, alice, open_session):
    response = as_user(alice).get(reverse("desks:screening_create", args=[open_session.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("desks:session_detail", args=[open_session.pk])
    bad = as_user(alice).get(reverse("desks:screening_create", args=[open_session.pk]) + "?resident=x")
    assert bad.status_code == 302


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        ("volunteer", False, False),
        ("volunteer", True, True),
        ("desk_staff", False, False),
        ("desk_staff", True, True),
        ("grid_worker", False, False),
        ("grid_worker", True, True),
        ("supervisor", False, True),
        ("supervisor", True, True),
        ("administrator", False, False),
        ("administrator", True, False),  # configuration only, whatever the box says (DESIGN §4.2)
    ],
)
def test_who_records_and_reads_screenings(as_user, binxi, desk, open_session, role, permission, allowed):
    from tests.factories import member

    user = member(binxi, role, username=f"{role}-{permission}", health_permission=permission)
    client = as_user(user)
    read = client.get(reverse("desks:resident_screenings", args=[desk.wang.pk]))
    form = client.get(new_url(open_session, desk.wang))
    recorded = post_reading(client, open_session, desk.wang, systolic=128, diastolic=82)
    assert (read.status_code, form.status_code) == ((200, 200) if allowed else (403, 403))
    assert recorded.status_code == (302 if allowed else 403)
    assert Screening.objects.filter(recorded_by=user).count() == (1 if allowed else 0)
