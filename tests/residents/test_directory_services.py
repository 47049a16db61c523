"""The resident services called directly: roles, logs, consents, pinyin (DESIGN §4.2, §6)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from residents import services
from residents.models import AccessLog
from tests.factories import GridFactory, ResidentFactory
from tests.residents.conftest import VALID_ID

pytestmark = pytest.mark.django_db


def test_create_sets_pinyin_dated_consents_and_creator(alice, binxi):
    resident = services.resident_create(
        actor=alice,
        community=binxi,
        data={"name": "曾秀英", "phone": "+8613812345678", "id_number": VALID_ID, "health_consent": True},
    )
    resident.refresh_from_db()
    readings = resident.name_pinyin.split()
    assert {"zengxiuying", "cengxiuying", ":zxy", ":cxy"} <= set(readings)  # initials marked with ":"
    assert resident.health_consent and resident.health_consent_at is not None
    assert resident.sms_consent_at is None
    assert resident.id_number() == VALID_ID
    assert resident.created_by == alice


def test_create_refuses_a_grid_of_another_community(alice, binxi, bindong):
    with pytest.raises(ValidationError):
        services.resident_create(
            actor=alice, community=binxi, data={"name": "刘桂兰", "grid": GridFactory(community=bindong)}
        )


def test_roles_are_checked_by_the_services(roles, bob, binxi):
    resident = ResidentFactory(community=binxi, phone="+8613912345678")
    with pytest.raises(PermissionDenied):
        services.resident_create(actor=roles.volunteer, community=binxi, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.resident_update(actor=roles.volunteer, resident=resident, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.phone_reveal(actor=roles.volunteer, resident=resident)
    with pytest.raises(PermissionDenied):
        services.id_number_view(actor=roles.desk_staff, resident=resident)
    with pytest.raises(PermissionDenied):
        services.resident_anonymise(actor=roles.desk_staff, resident=resident)
    for call in (
        lambda: services.resident_create(actor=bob, community=binxi, data={"name": "x"}),
        lambda: services.resident_update(actor=bob, resident=resident, data={"name": "x"}),
        lambda: services.phone_reveal(actor=bob, resident=resident),
        lambda: services.id_number_view(actor=bob, resident=resident),
        lambda: services.resident_anonymise(actor=bob, resident=resident),
    ):
        with pytest.raises(Http404):
            call()
    assert not AccessLog.objects.exists()
    resident.refresh_from_db()
    assert resident.name != "x"


def test_reveal_and_id_view_return_the_value_and_log_who_whom_when(alice, roles, binxi):
    resident = ResidentFactory(community=binxi, phone="+8613912345678")
    resident.set_id_number(VALID_ID)
    resident.save()
    assert services.phone_reveal(actor=roles.grid_worker, resident=resident) == "+8613912345678"
    assert services.id_number_view(actor=alice, resident=resident) == VALID_ID
    rows = list(AccessLog.objects.order_by("id").values_list("actor", "resident", "community", "action"))
    assert rows == [
        (roles.grid_worker.pk, resident.pk, binxi.pk, "reveal_phone"),
        (alice.pk, resident.pk, binxi.pk, "view_id_number"),
    ]


def test_nothing_to_reveal_logs_nothing(alice, binxi):
    resident = ResidentFactory(community=binxi, phone="")
    assert services.phone_reveal(actor=alice, resident=resident) == ""
    assert services.id_number_view(actor=alice, resident=resident) == ""
    assert not AccessLog.objects.exists()


def test_update_dates_only_the_consents_that_changed(alice, binxi):
    resident = ResidentFactory(community=binxi, sms_consent=True)
    services.resident_update(
        actor=alice, resident=resident, data={"sms_consent": True, "announcement_consent": True}
    )
    resident.refresh_from_db()
    assert resident.sms_consent_at is None
    assert resident.announcement_consent_at is not None


def test_update_of_an_anonymised_resident_is_refused(alice, binxi):
    resident = ResidentFactory(community=binxi)
    services.resident_anonymise(actor=alice, resident=resident)
    with pytest.raises(services.ResidentError):
        services.resident_update(actor=alice, resident=resident, data={"name": "王玉枝"})
    with pytest.raises(services.ResidentError):
        services.resident_anonymise(actor=alice, resident=resident)
