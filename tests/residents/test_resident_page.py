"""The resident page: masked phone and ID, the logged reveals, roles, and placeholders for later parts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents.models import AccessLog
from tests.factories import ResidentFactory
from tests.residents.conftest import VALID_ID

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def wang(people):
    people.wang.set_id_number(VALID_ID)
    people.wang.save()
    return people.wang


def page_of(client, resident) -> str:
    response = client.get(reverse("residents:detail", args=[resident.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_masks_phone_and_id_number(as_user, alice, wang):
    html = page_of(as_user(alice), wang)
    assert "王玉枝" in html
    assert "139****5678" in html
    assert "13912345678" not in html
    assert "110***********002X" in html
    assert VALID_ID not in html
    assert "冶金厂家属院 3号楼 2单元 501室" in html
    assert "独居老人" in html


def test_a_supervisor_reveals_the_phone_by_htmx_and_it_is_logged(as_user, alice, wang):
    response = as_user(alice).post(reverse("residents:reveal_phone", args=[wang.pk]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "13912345678" in html
    assert 'href="tel:+8613912345678"' in html
    assert "no-store" in response["Cache-Control"]
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.resident, entry.community_id, entry.action) == (
        alice,
        wang,
        wang.community_id,
        "reveal_phone",
    )
    assert entry.created_at is not None


def test_the_reveal_works_without_javascript(as_user, roles, wang):
    response = as_user(roles.desk_staff).post(reverse("residents:reveal_phone", args=[wang.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "13912345678" in html
    assert AccessLog.objects.get().actor == roles.desk_staff


@pytest.mark.parametrize("role", ["desk_staff", "grid_worker", "administrator"])
def test_staff_may_reveal_a_phone(as_user, roles, wang, role):
    user = getattr(roles, role)
    assert 'id="reveal-phone"' in page_of(as_user(user), wang)
    response = as_user(user).post(reverse("residents:reveal_phone", args=[wang.pk]), **HTMX)
    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=user, resident=wang, action="reveal_phone").count() == 1


def test_a_volunteer_cannot_reveal_a_phone(as_user, roles, wang):
    client = as_user(roles.volunteer)
    html = page_of(client, wang)
    assert "139****5678" in html
    assert 'id="reveal-phone"' not in html
    response = client.post(reverse("residents:reveal_phone", args=[wang.pk]), **HTMX)
    assert response.status_code == 403
    assert "13912345678" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_a_get_never_reveals(as_user, alice, wang):
    assert as_user(alice).get(reverse("residents:reveal_phone", args=[wang.pk])).status_code == 405
    assert as_user(alice).get(reverse("residents:show_id", args=[wang.pk])).status_code == 405
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("role", ["alice", "administrator"])
def test_supervisors_and_administrators_see_the_id_number_and_it_is_logged(as_user, alice, roles, wang, role):
    user = alice if role == "alice" else roles.administrator
    client = as_user(user)
    assert 'id="show-id-number"' in page_of(client, wang)
    response = client.post(reverse("residents:show_id", args=[wang.pk]), **HTMX)
    assert response.status_code == 200
    assert VALID_ID in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.resident, entry.action) == (user, wang, "view_id_number")


@pytest.mark.parametrize("role", ["volunteer", "desk_staff", "grid_worker"])
def test_other_roles_never_see_the_id_number(as_user, roles, wang, role):
    client = as_user(getattr(roles, role))
    html = page_of(client, wang)
    # Not even the masked digits: with the date of birth and the district they give the number back.
    assert "002X" not in html and 'id="id-number-recorded"' in html
    assert 'id="show-id-number"' not in html
    response = client.post(reverse("residents:show_id", args=[wang.pk]), **HTMX)
    assert response.status_code == 403
    assert VALID_ID not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_roles_decide_the_buttons(as_user, alice, roles, wang):
    edit, anonymise = (
        reverse("residents:edit", args=[wang.pk]),
        reverse("residents:anonymise", args=[wang.pk]),
    )
    html = page_of(as_user(alice), wang)
    assert edit in html and anonymise in html
    html = page_of(as_user(roles.desk_staff), wang)
    assert edit in html and anonymise not in html
    html = page_of(as_user(roles.volunteer), wang)
    assert edit not in html and anonymise not in html


def test_placeholders_for_requests_and_screenings(as_user, alice, roles, wang):
    html = page_of(as_user(alice), wang)
    assert f'id="resident-requests" class="mb-3" data-resident-id="{wang.pk}"' in html
    assert f'id="resident-screenings" class="mb-3" data-resident-id="{wang.pk}"' in html
    # health screenings only for the roles of DESIGN §4.2
    assert 'id="resident-screenings"' not in page_of(as_user(roles.volunteer), wang)
    assert 'id="resident-screenings"' in page_of(as_user(roles.health_volunteer), wang)
    assert 'id="resident-screenings"' not in page_of(as_user(roles.administrator), wang)


@pytest.mark.parametrize(
    ("url_name", "methods"),
    [
        ("residents:detail", ("get",)),
        ("residents:edit", ("get", "post")),
        ("residents:reveal_phone", ("post",)),
        ("residents:show_id", ("post",)),
        ("residents:anonymise", ("get", "post")),
    ],
)
def test_every_resident_url_answers_404_to_bob(as_user, bob, wang, url_name, methods):
    client = as_user(bob)
    url = reverse(url_name, args=[wang.pk])
    for method in methods:
        assert getattr(client, method)(url).status_code == 404
        assert getattr(client, method)(url, **HTMX).status_code == 404
    assert not AccessLog.objects.exists()
    wang.refresh_from_db()
    assert wang.name == "王玉枝" and wang.anonymised_at is None


def test_an_unknown_resident_is_404(as_user, alice):
    assert as_user(alice).get(reverse("residents:detail", args=[999999])).status_code == 404


def test_the_page_needs_a_login(client, wang):
    response = client.get(reverse("residents:detail", args=[wang.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_query_count_of_the_page_is_the_same_at_1_and_25_residents(as_user, alice, binxi):
    resident = ResidentFactory(community=binxi, lives_alone=True)
    client = as_user(alice)
    url = reverse("residents:detail", args=[resident.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first request reads the memberships into the cache (residents.versioned_cache)
    one = count()
    ResidentFactory.create_batch(24, community=binxi)
    assert count() == one
