"""The follow-up request of a flagged health screening: a button where health roles see the
screening, one request however often it is pressed, 403 without the health permission, 404 for
another community's screening."""

import re

import pytest
from django.urls import reverse

from desks.models import Screening
from requests.models import ServiceRequest
from tests.factories import member
from tests.requests.views_support import EN, as_user

__all__ = ["as_user"]  # fixtures


@pytest.fixture
def screening(world):
    return Screening.objects.create(
        community=world.binxi,
        resident=world.wang,
        recorded_by=world.health_staff,
        systolic=172,
        diastolic=104,
        bp_flagged=True,
    )


def follow_up(screening):
    return reverse("requests:screening_follow_up", args=[screening.pk])


def screenings_page(world):
    return reverse("desks:resident_screenings", args=[world.wang.pk])


def buttons(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="(/requests/screenings/\d+/follow-up/)"', html)


def test_a_flagged_screening_has_the_button_and_it_logs_one_follow_up(world, as_user, screening):
    client = as_user(world.health_staff)
    html = client.get(screenings_page(world), **EN).content.decode()
    assert buttons(html) == [follow_up(screening)]
    assert "Log a follow-up request" in html

    response = client.post(follow_up(screening), {"next": screenings_page(world)}, **EN)
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("requests:logged", args=[sr.reference])
    assert sr.category.code == "health_follow_up" and sr.resident == world.wang and sr.screening == screening
    assert "The follow-up request was logged." in client.get(response["Location"], **EN).content.decode()

    again = client.post(follow_up(screening), **EN)  # a double tap, or a colleague's tap
    assert again["Location"] == response["Location"] and ServiceRequest.objects.count() == 1
    assert "logged already" in client.get(again["Location"], **EN).content.decode()


def test_a_screening_not_flagged_has_no_button(world, as_user, screening):
    screening.bp_flagged = False
    screening.save()
    client = as_user(world.health_staff)
    assert buttons(client.get(screenings_page(world), **EN).content.decode()) == []
    # Posted anyway: the service's refusal is a message on the page the button was on.
    response = client.post(follow_up(screening), {"next": screenings_page(world)}, follow=True, **EN)
    assert response.redirect_chain[-1][0] == screenings_page(world)
    assert "no flagged reading" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_session_hub_shows_the_button_to_health_roles_only(world, as_user):
    from tests.desks.factories import DeskSessionFactory

    session = DeskSessionFactory(community=world.binxi, status="open", team=[world.desk_staff])
    flagged = Screening.objects.create(
        community=world.binxi,
        session=session,
        resident=world.wang,
        recorded_by=world.health_staff,
        systolic=172,
        diastolic=104,
        bp_flagged=True,
    )
    hub = reverse("desks:session_detail", args=[session.pk])
    assert buttons(as_user(world.health_staff).get(hub).content.decode()) == [follow_up(flagged)]
    assert buttons(as_user(world.volunteer).get(hub).content.decode()) == []


def test_without_the_health_permission_no_button_and_403(world, as_user, screening):
    for user in (world.volunteer, world.desk_staff):
        client = as_user(user)
        assert client.get(screenings_page(world)).status_code == 403
        assert client.post(follow_up(screening)).status_code == 403
    assert not ServiceRequest.objects.exists()


def test_a_volunteer_with_the_health_permission_may_follow_up(world, as_user, screening):
    nurse = member(world.binxi, "volunteer", username="healthvolunteer", health_permission=True)
    response = as_user(nurse).post(follow_up(screening))
    assert response.status_code == 302 and ServiceRequest.objects.get().screening == screening


def test_another_communitys_screening_is_404(world, as_user, screening):
    stranger_nurse = member(world.bindong, "supervisor", username="bindongnurse", health_permission=True)
    assert as_user(stranger_nurse).post(follow_up(screening)).status_code == 404
    assert as_user(world.outsider).post(follow_up(screening)).status_code == 404
    assert not ServiceRequest.objects.exists()


def test_get_is_not_allowed(world, as_user, screening):
    assert as_user(world.health_staff).get(follow_up(screening)).status_code == 405


@pytest.mark.parametrize("wanted", ["99999999999999999999", "0001-01-01", "a\x00b", "https://evil.example/"])
def test_a_next_that_is_no_local_path_goes_back_to_the_screenings(world, as_user, screening, wanted):
    screening.bp_flagged = False  # refused: the view sends the user back
    screening.save()
    response = as_user(world.health_staff).post(follow_up(screening), {"next": wanted})
    assert response.status_code == 302 and response["Location"] == screenings_page(world)
