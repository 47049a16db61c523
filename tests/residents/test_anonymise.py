"""Anonymising a resident (DESIGN §6): personal data replaced, requests and figures stay, logged."""

import pytest
from django.urls import reverse

from desks.models import Screening
from residents.models import AccessLog, Resident
from residents.selectors import resident_search
from residents.services import ANONYMISED_NAME
from tests.residents.conftest import VALID_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(people):
    wang = people.wang
    wang.set_id_number(VALID_ID)
    wang.contact_name, wang.contact_relation, wang.notes = "王小明", "儿子", "独居，女儿在外地"
    wang.health_consent = True
    wang.save()
    return wang


def test_the_confirmation_page_says_what_goes_and_changes_nothing(as_user, alice, wang):
    response = as_user(alice).get(reverse("residents:anonymise", args=[wang.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "无法恢复" in html and "王玉枝" in html and "139****5678" in html
    assert "13912345678" not in html
    wang.refresh_from_db()
    assert wang.anonymised_at is None
    assert not AccessLog.objects.exists()


def test_a_supervisor_anonymises_and_it_is_logged(as_user, alice, wang):
    screening = Screening.objects.create(
        community=wang.community, resident=wang, recorded_by=alice, systolic=150, diastolic=95
    )
    response = as_user(alice).post(reverse("residents:anonymise", args=[wang.pk]))
    assert response.status_code == 302
    wang.refresh_from_db()
    assert wang.name == ANONYMISED_NAME == "已匿名居民"
    assert wang.anonymised_at is not None
    for field in (
        "name_pinyin",
        "phone",
        "contact_name",
        "contact_relation",
        "compound",
        "building",
        "unit",
        "room",
        "notes",
        "id_number_encrypted",
        "id_number_hmac",
        "id_number_masked",
    ):
        assert getattr(wang, field) == "", field
    assert wang.birth_date is None
    assert not any(getattr(wang, flag) for flag in Resident.FLAGS)
    assert not any(getattr(wang, consent) for consent in Resident.CONSENTS)
    assert wang.health_consent_at is not None
    # what figures are made of stays
    assert wang.community.code == "BX" and wang.grid is not None
    assert Screening.objects.get(pk=screening.pk).resident_id == wang.pk
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.resident, entry.action) == (alice, wang, "anonymise")

    html = as_user(alice).get(reverse("residents:detail", args=[wang.pk])).content.decode()
    assert "个人信息已于" in html
    assert "王玉枝" not in html
    assert reverse("residents:edit", args=[wang.pk]) not in html
    assert reverse("residents:anonymise", args=[wang.pk]) not in html


def test_an_anonymised_resident_leaves_search_results(alice, wang):
    from residents.services import resident_anonymise

    resident_anonymise(actor=alice, resident=wang)
    assert list(resident_search(user=alice, q="5678")) == []
    assert list(resident_search(user=alice, q="已匿名")) == []


def test_anonymising_twice_changes_nothing_more(as_user, alice, wang):
    client = as_user(alice)
    client.post(reverse("residents:anonymise", args=[wang.pk]))
    response = client.post(reverse("residents:anonymise", args=[wang.pk]), follow=True)
    assert "该居民已经匿名化" in response.content.decode()
    assert AccessLog.objects.count() == 1


@pytest.mark.parametrize("role", ["volunteer", "desk_staff", "grid_worker"])
def test_other_roles_cannot_anonymise(as_user, roles, wang, role):
    client = as_user(getattr(roles, role))
    assert client.get(reverse("residents:anonymise", args=[wang.pk])).status_code == 403
    assert client.post(reverse("residents:anonymise", args=[wang.pk])).status_code == 403
    wang.refresh_from_db()
    assert wang.name == "王玉枝" and wang.anonymised_at is None
    assert not AccessLog.objects.exists()


def test_an_administrator_may_anonymise(as_user, roles, wang):
    assert (
        as_user(roles.administrator).post(reverse("residents:anonymise", args=[wang.pk])).status_code == 302
    )
    wang.refresh_from_db()
    assert wang.anonymised_at is not None
