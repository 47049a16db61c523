"""Staff membership moved from desks to residents without moving a row: a database that holds
memberships from before the move migrates in place, and every membership is read through the new
model afterwards, with its content type (and so its admin permissions) carried along."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from residents.members import members
from residents.models import Membership
from residents.roles import Can
from residents.scoping import places

BEFORE_THE_MOVE = [("residents", "0006_grid_order_as_set_up"), ("desks", "0003_session_closed_automatically")]


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_holding_memberships_migrates_across_the_move(binxi, bindong):
    content_type_pk = ContentType.objects.get_for_model(Membership).pk
    MigrationExecutor(connection).migrate(BEFORE_THE_MOVE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE_THE_MOVE).apps
        with pytest.raises(LookupError):
            old.get_model("residents", "Membership")  # before the move, only desks has it
        OldMembership = old.get_model("desks", "Membership")
        OldUser = old.get_model("auth", "User")
        moved_back = ContentType.objects.filter(pk=content_type_pk).values_list("app_label", flat=True)
        assert list(moved_back) == ["desks"]

        chen = OldUser.objects.create(username="chen", last_name="陈", first_name="静")
        liu = OldUser.objects.create(username="liu", last_name="刘", first_name="洋")
        rows = [
            OldMembership.objects.create(user=chen, community_id=binxi.pk, role="supervisor"),
            OldMembership.objects.create(
                user=chen, community_id=bindong.pk, role="volunteer", health_permission=True
            ),
            OldMembership.objects.create(
                user=liu,
                community_id=binxi.pk,
                role="grid_worker",
                staff_phone="+8613912345678",
                wants_sms_reminders=True,
            ),
            OldMembership.objects.create(
                user=liu, community_id=bindong.pk, role="desk_staff", is_active=False
            ),
        ]
        before = {
            row.pk: (
                row.user_id,
                row.community_id,
                row.role,
                row.staff_phone,
                row.wants_sms_reminders,
                row.health_permission,
                row.is_active,
            )
            for row in rows
        }
    finally:
        MigrationExecutor(connection).migrate(_latest())
    ContentType.objects.clear_cache()

    after = {
        m.pk: (
            m.user_id,
            m.community_id,
            m.role,
            m.staff_phone,
            m.wants_sms_reminders,
            m.health_permission,
            m.is_active,
        )
        for m in Membership.objects.all()
    }
    assert after == before
    assert ContentType.objects.get_for_model(Membership).pk == content_type_pk
    assert not ContentType.objects.filter(app_label="desks", model="membership").exists()
    assert Permission.objects.filter(content_type_id=content_type_pk, codename="change_membership").exists()

    # read through the new model: scoping, and members() with the health-permission rule
    chen_places = places(Membership.objects.get(pk=rows[0].pk).user)
    assert {cid: place.role for cid, place in chen_places.items()} == {
        binxi.pk: "supervisor",
        bindong.pk: "volunteer",
    }
    assert {u.username for u in members(binxi, Can.BE_HANDLER)} == {"chen", "liu"}
    assert {u.username for u in members(bindong, Can.HEALTH)} == {"chen"}
    assert not members(bindong, Can.BE_HANDLER).exists()  # liu's desk-staff membership is switched off
