"""The Django admin shows masked phones and no ID numbers, so it is no way around the access log."""

import pytest
from django.urls import reverse

from residents.models import AccessLog, Resident
from tests.factories import ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_resident_list_masks_phones(admin_client):
    ResidentFactory(name="王玉枝", phone="+8613912345678")
    html = admin_client.get(reverse("admin:residents_resident_changelist")).content.decode()
    assert "139****5678" in html
    assert "13912345678" not in html


def test_the_change_form_shows_neither_full_phone_nor_id_number(admin_client):
    resident = ResidentFactory(phone="+8613912345678")
    resident.set_id_number("11010519491231002X")
    resident.save()
    html = admin_client.get(reverse("admin:residents_resident_change", args=[resident.pk])).content.decode()
    assert "13912345678" not in html
    assert "11010519491231002X" not in html
    assert "110***********002X" in html


def test_a_new_phone_entered_in_the_admin_is_normalised_and_bad_ones_refused(admin_client):
    resident = ResidentFactory(phone="+8613912345678")
    url = reverse("admin:residents_resident_change", args=[resident.pk])
    data = {
        "community": resident.community_id,
        "grid": resident.grid_id,
        "name": resident.name,
        "new_phone": "12345",
        "new_id_number": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "电话号码位数太少" in response.content.decode()
    resident.refresh_from_db()
    assert resident.phone == "+8613912345678"

    data["new_phone"] = "186 0000 1111"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "+8618600001111"


def test_the_access_log_cannot_be_edited_or_deleted_in_the_admin(admin_client):
    resident = ResidentFactory()
    entry = AccessLog.objects.create(
        actor=UserFactory(), community=resident.community, resident=resident, action="reveal_phone"
    )
    assert admin_client.get(reverse("admin:residents_accesslog_changelist")).status_code == 200
    assert (
        admin_client.post(
            reverse("admin:residents_accesslog_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AccessLog.objects.filter(pk=entry.pk).exists()
    assert Resident.objects.filter(pk=resident.pk).exists()
