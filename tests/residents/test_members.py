"""members(community, capability): the active members of a community whose role may do something,
read from the roles table (DESIGN §4.2), health permission included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from residents.members import members, memberships_with
from residents.roles import Can
from tests.factories import MembershipFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(binxi, bindong):
    people = {
        "volunteer": member(binxi, "volunteer", username="volunteer"),
        "health_volunteer": member(binxi, "volunteer", username="healthvolunteer", health_permission=True),
        "desk_staff": member(binxi, "desk_staff", username="deskstaff"),
        "health_desk_staff": member(binxi, "desk_staff", username="healthdesk", health_permission=True),
        "grid_worker": member(binxi, "grid_worker", username="gridworker"),
        "supervisor": member(binxi, "supervisor", username="supervisor"),
        "administrator": member(binxi, "administrator", username="administrator"),
        "left": member(binxi, "desk_staff", username="left"),
        "elsewhere": member(bindong, "supervisor", username="elsewhere"),
    }
    people["left"].memberships.update(is_active=False)
    return people


def names(queryset) -> set[str]:
    return {user.username for user in queryset}


def test_each_capability_names_the_roles_the_table_gives_it(binxi, team):
    assert names(members(binxi, Can.BE_HANDLER)) == {
        "deskstaff",
        "healthdesk",
        "gridworker",
        "supervisor",
    }
    assert names(members(binxi, Can.SUPERVISE)) == {"supervisor"}
    assert names(members(binxi, Can.LOG_REQUESTS)) == {
        "volunteer",
        "healthvolunteer",
        "deskstaff",
        "healthdesk",
        "gridworker",
        "supervisor",
    }
    assert names(members(binxi, Can.IMPORT_EXPORT)) == {"supervisor", "administrator"}


def test_health_goes_to_supervisors_and_to_the_others_only_with_the_permission(binxi, team):
    assert names(members(binxi, Can.HEALTH)) == {"healthvolunteer", "healthdesk", "supervisor"}


def test_a_switched_off_membership_and_another_community_do_not_count(binxi, bindong, team):
    assert "left" not in names(members(binxi, Can.LOG_REQUESTS))
    assert names(members(bindong, Can.SUPERVISE)) == {"elsewhere"}
    assert names(members(bindong.pk, Can.SUPERVISE)) == {"elsewhere"}  # by id, too


def test_several_communities_name_each_person_once(binxi, bindong, team):
    MembershipFactory(user=team["supervisor"], community=bindong, role="desk_staff")
    handlers = members([binxi.pk, bindong.pk], Can.BE_HANDLER)
    assert sorted(u.username for u in handlers) == [
        "deskstaff",
        "elsewhere",
        "gridworker",
        "healthdesk",
        "supervisor",
    ]
    assert not members([], Can.BE_HANDLER).exists()


def test_it_is_one_query_callers_can_chain(binxi, team):
    with CaptureQueriesContext(connection) as queries:
        ordered = list(members(binxi, Can.SUPERVISE).order_by("username").values_list("username", flat=True))
    assert ordered == ["supervisor"] and len(queries) == 1
    assert members(binxi, Can.BE_HANDLER).filter(pk=team["grid_worker"].pk).exists()
    assert not members(binxi, Can.BE_HANDLER).filter(pk=team["volunteer"].pk).exists()


def test_the_memberships_carry_what_lives_on_them(binxi, team):
    team["supervisor"].memberships.update(staff_phone="+8613912345678", wants_sms_reminders=True)
    rows = memberships_with(binxi, Can.SUPERVISE)
    assert [(m.user.username, m.staff_phone, m.wants_sms_reminders) for m in rows] == [
        ("supervisor", "+8613912345678", True)
    ]
