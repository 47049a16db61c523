"""Administrators manage staff in the Django admin: add them to a community, change a role, grant
the health permission, switch them off. Staff phones stay masked in the list."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from residents.models import Membership
from tests.factories import MembershipFactory, UserFactory, member


@pytest.fixture
def staff(binxi):
    return SimpleNamespace(
        volunteer=member(binxi, "volunteer", username="volunteer"),
        desk_staff=member(binxi, "desk_staff", username="deskstaff", last_name="张", first_name="敏"),
        administrator=member(binxi, "administrator", username="administrator"),
    )


@pytest.fixture
def root(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_staff_pages_answer(root, staff, binxi):
    membership = Membership.objects.get(user=staff.desk_staff)
    pages = [
        reverse("admin:residents_membership_changelist"),
        reverse("admin:residents_membership_add"),
        reverse("admin:residents_membership_change", args=[membership.pk]),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[staff.desk_staff.pk]),
    ]
    for url in pages:
        assert root.get(url).status_code == 200, url


def test_an_administrator_adds_a_volunteer_to_the_community(root, binxi):
    newcomer = UserFactory(username="newcomer")
    response = root.post(
        reverse("admin:residents_membership_add"),
        {
            "user": newcomer.pk,
            "community": binxi.pk,
            "role": "volunteer",
            "staff_phone": "139 1234 5678",
            "is_active": "on",  # ticked on a new form
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert (membership.community, membership.role, membership.is_active) == (binxi, "volunteer", True)
    assert membership.staff_phone == "+8613912345678"


def test_a_role_changes_health_is_granted_and_a_member_is_switched_off(root, staff, binxi):
    membership = Membership.objects.get(user=staff.volunteer)
    url = reverse("admin:residents_membership_change", args=[membership.pk])
    form = {"user": staff.volunteer.pk, "community": binxi.pk, "role": "desk_staff", "staff_phone": ""}

    assert root.post(url, form | {"health_permission": "on", "is_active": "on"}).status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.health_permission, membership.is_active) == ("desk_staff", True, True)

    assert root.post(url, form | {"health_permission": "on"}).status_code == 302  # "active" unticked
    membership.refresh_from_db()
    assert membership.is_active is False


def test_a_person_belongs_to_a_community_once(root, staff, binxi):
    response = root.post(
        reverse("admin:residents_membership_add"),
        {"user": staff.desk_staff.pk, "community": binxi.pk, "role": "supervisor"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert Membership.objects.filter(user=staff.desk_staff).count() == 1


def test_the_staff_list_masks_phones_and_finds_people_by_name(root, binxi):
    MembershipFactory(
        user=UserFactory(username="zhangmin", last_name="张", first_name="敏"),
        community=binxi,
        staff_phone="+8613912345678",
    )
    html = root.get(reverse("admin:residents_membership_changelist"), {"q": "张"}).content.decode()
    assert "zhangmin" in html
    assert "139****5678" in html
    assert "13912345678" not in html


def test_a_users_page_lists_their_communities(root, binxi, bindong):
    worker = UserFactory(username="streetoffice")
    MembershipFactory(user=worker, community=binxi, role="supervisor")
    MembershipFactory(user=worker, community=bindong, role="desk_staff")
    html = root.get(reverse("admin:auth_user_change", args=[worker.pk])).content.decode()
    assert "memberships-TOTAL_FORMS" in html
    assert "滨西社区" in html and "滨东社区" in html


def test_only_superusers_manage_staff(client, staff, binxi):
    """No role opens the admin: even a community's administrator with the staff flag gets nothing
    here, so no one can make themselves a supervisor or reach another community's staff."""
    administrator = staff.administrator
    administrator.is_staff = True
    administrator.save()
    membership = Membership.objects.get(user=staff.desk_staff)
    client.force_login(administrator)
    pages = [
        reverse("admin:residents_membership_changelist"),
        reverse("admin:residents_membership_add"),
        reverse("admin:residents_membership_change", args=[membership.pk]),
        reverse("admin:auth_user_change", args=[staff.desk_staff.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("admin:residents_membership_change", args=[membership.pk]),
        {"user": staff.desk_staff.pk, "community": binxi.pk, "role": "supervisor", "is_active": "on"},
    )
    assert response.status_code == 403
    assert Membership.objects.get(pk=membership.pk).role == "desk_staff"
