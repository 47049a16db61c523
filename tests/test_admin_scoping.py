"""Scoping in the Django admin (issue 12): the desk session's team picker lists its community's
members, and a per-community administrator's lists, pickers, filters and autocompletes show only
their communities (residents/admin_scoping.py, mixed into every ModelAdmin)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.desks.factories import DeskSessionFactory, StopFactory
from tests.factories import ResidentFactory, UserFactory, member


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def two(alice, bob, binxi, bindong):
    """滨西's and 滨东's objects side by side."""
    return {
        "binxi_session": DeskSessionFactory(community=binxi, team=[alice]),
        "bindong_session": DeskSessionFactory(community=bindong, team=[bob]),
        "binxi_stop": StopFactory(community=binxi, name="冶金厂家属院"),
        "bindong_stop": StopFactory(community=bindong, name="滨东花园"),
        "binxi_resident": ResidentFactory(community=binxi, name="王玉枝"),
        "bindong_resident": ResidentFactory(community=bindong, name="赵德柱"),
    }


@pytest.fixture
def binxi_admin(client, binxi):
    """An administrator of 滨西 only, with the admin's model permissions (not a superuser)."""
    user = member(binxi, "administrator", username="bxadmin", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["residents", "desks", "requests", "auth"])
    )
    client.force_login(user)
    return client


def choices(response, field: str) -> set:
    return set(response.context["adminform"].form.fields[field].queryset)


def test_the_session_teams_picker_lists_its_communitys_members_only(client, alice, bob, two):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:desks_desksession_change", args=[two["binxi_session"].pk]))
    assert alice in choices(page, "team") and bob not in choices(page, "team")


def test_a_session_of_another_communitys_members_is_refused(client, alice, bob, binxi, two):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    session = two["binxi_session"]
    page = client.get(reverse("admin:desks_desksession_change", args=[session.pk]))
    data = page.context["adminform"].form.initial
    form = {
        "community": binxi.pk,
        "stop": session.stop_id,
        "date": str(data["date"]),
        "start_time": "09:00",
        "end_time": "11:00",
        "team": [alice.pk, bob.pk],
        "walk_up_count": 0,
    }
    response = client.post(reverse("admin:desks_desksession_change", args=[session.pk]), form)
    assert response.status_code == 200 and list(session.team.all()) == [alice]


def test_a_per_community_administrator_sees_only_their_community(
    binxi_admin, alice, bob, binxi, bindong, two
):
    add = binxi_admin.get(reverse("admin:desks_desksession_add"))
    assert choices(add, "community") == {binxi}
    assert choices(add, "team") >= {alice} and bob not in choices(add, "team")
    assert two["bindong_stop"] not in choices(add, "stop")

    lists = {
        "admin:desks_desksession_changelist": ("binxi_session", "bindong_session"),
        "admin:desks_stop_changelist": ("binxi_stop", "bindong_stop"),
        "admin:residents_resident_changelist": ("binxi_resident", "bindong_resident"),
    }
    for url, (ours, theirs) in lists.items():
        rows = set(binxi_admin.get(reverse(url)).context["cl"].queryset)
        assert two[ours] in rows and two[theirs] not in rows, url
    assert set(binxi_admin.get(reverse("admin:residents_community_changelist")).context["cl"].queryset) == {
        binxi
    }
    people = set(binxi_admin.get(reverse("admin:auth_user_changelist")).context["cl"].queryset)
    assert alice in people and bob not in people
    sidebar = binxi_admin.get(reverse("admin:residents_resident_changelist")).content.decode()
    assert "滨东社区" not in sidebar

    other = binxi_admin.get(reverse("admin:desks_desksession_change", args=[two["bindong_session"].pk]))
    assert other.status_code == 302  # "doesn't exist", back to the list
    found = binxi_admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "desks", "model_name": "stop", "field_name": "community", "term": ""},
    ).json()
    assert {row["text"] for row in found["results"]} == {"滨西社区"}
