"""Where requests meet the other apps without their importing it (DESIGN §3): the resident page
loads the resident's requests by htmx, and a request logged at a desk session counts its resident
among those the desk served."""

import re

from django.urls import reverse

from tests.factories import ResidentFactory
from tests.requests.conftest import logged
from tests.requests.views_support import as_user, session

__all__ = ["as_user", "session"]  # fixtures


def test_the_resident_page_loads_the_residents_requests(world, as_user):
    sr = logged(world)
    client = as_user(world.desk_staff)

    page = client.get(reverse("residents:detail", args=[world.wang.pk])).content.decode()
    fragment_url = reverse("requests:resident_requests", args=[world.wang.pk])
    assert f'hx-get="{fragment_url}"' in page

    fragment = client.get(fragment_url).content.decode()
    assert f'data-reference="{sr.reference}"' in fragment


def test_the_screenings_link_shows_only_to_the_health_roles(world, as_user):
    screenings_url = reverse("desks:resident_screenings", args=[world.wang.pk])
    page = reverse("residents:detail", args=[world.wang.pk])
    assert screenings_url in as_user(world.health_staff).get(page).content.decode()
    assert screenings_url not in as_user(world.volunteer).get(page).content.decode()


def test_a_request_logged_at_a_session_counts_its_resident_as_served(world, session, as_user):
    neighbour = ResidentFactory(community=world.binxi, grid=world.grid, name="李桂兰")
    logged(world, desk_session=session)
    logged(world, desk_session=session, description="又问了一次")  # the same resident: counted once
    logged(world, desk_session=session, resident=neighbour)
    logged(world)  # not at the desk: not counted

    hub = as_user(world.desk_staff).get(reverse("desks:session_detail", args=[session.pk])).content.decode()
    assert re.search(r'id="served-total">\s*2\s*<', hub)
