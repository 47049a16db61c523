"""One ID number per community, kept by the database (ID_NUMBER_UNIQUE) and said next to the field by
the services, the resident form and the admin; another community, or an anonymised resident, is no
obstacle (DESIGN §6)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from residents import forms as resident_forms
from residents import idnumbers, services
from residents.admin import ResidentAdminForm
from residents.models import Resident, violates_id_number_unique
from tests.factories import ResidentFactory, UserFactory
from tests.residents.conftest import OTHER_VALID_ID, VALID_ID
from tests.residents.test_resident_form import CREATE, edit_data, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def wang(people):
    """王玉枝 of 滨西, with VALID_ID."""
    people.wang.set_id_number(VALID_ID)
    people.wang.save()
    return people.wang


def with_id_number(resident: Resident, id_number: str) -> Resident:
    resident.set_id_number(id_number)
    return resident


# --- the constraint ------------------------------------------------------------------------------


def test_the_database_refuses_a_second_resident_with_the_same_id_number(wang, binxi):
    twin = with_id_number(ResidentFactory.build(community=binxi, grid=None), VALID_ID)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        twin.save()
    assert violates_id_number_unique(refused.value)
    assert Resident.objects.filter(id_number_hmac=wang.id_number_hmac).count() == 1


def test_an_existing_resident_cannot_be_given_a_taken_id_number(wang, people):
    people.zeng.set_id_number(VALID_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        people.zeng.save(update_fields=["id_number_encrypted", "id_number_hmac", "id_number_masked"])


def test_residents_without_an_id_number_are_not_duplicates(binxi):
    ResidentFactory.create_batch(3, community=binxi)
    assert Resident.objects.filter(community=binxi, id_number_hmac="").count() == 3


def test_the_same_id_number_is_allowed_in_another_community(wang, bindong):
    other = with_id_number(ResidentFactory.build(community=bindong, grid=None), VALID_ID)
    other.save()
    assert Resident.objects.filter(id_number_hmac=idnumbers.fingerprint(VALID_ID)).count() == 2


def test_anonymising_clears_the_id_number_so_it_can_be_registered_again(wang, alice, binxi):
    services.resident_anonymise(actor=alice, resident=wang)
    wang.refresh_from_db()
    assert (wang.id_number_hmac, wang.id_number_encrypted, wang.id_number_masked) == ("", "", "")
    again = services.resident_create(
        actor=alice, community=binxi, data={"name": "王玉枝", "id_number": VALID_ID}
    )
    assert again.id_number_hmac == idnumbers.fingerprint(VALID_ID)


# --- the services --------------------------------------------------------------------------------


def test_create_with_a_taken_id_number_is_a_validation_error_on_the_field(wang, alice, binxi):
    before = Resident.objects.count()
    with transaction.atomic():  # a caller's transaction: it must survive the refusal
        with pytest.raises(ValidationError) as refused:
            services.resident_create(
                actor=alice,
                community=binxi,
                data={"name": "刘桂兰", "phone": "+8613700001111", "id_number": VALID_ID},
            )
        assert Resident.objects.count() == before  # the caller can still query: its transaction is intact
    assert refused.value.message_dict == {
        "id_number": [
            "This ID number is already registered for 王玉枝 (冶金厂家属院 Building 3 Unit 2 Room 501)."
        ]
    }
    assert refused.value.error_dict["id_number"][0].code == "duplicate"
    assert not Resident.objects.filter(name="刘桂兰").exists()


def test_update_with_a_taken_id_number_writes_nothing(wang, alice, people):
    zeng = people.zeng
    with pytest.raises(ValidationError) as refused:
        services.resident_update(
            actor=alice, resident=zeng, data={"name": "曾国栋", "notes": "改了", "id_number": VALID_ID}
        )
    assert list(refused.value.message_dict) == ["id_number"]
    assert "王玉枝" in refused.value.message_dict["id_number"][0]
    zeng.refresh_from_db()
    assert (zeng.name, zeng.notes, zeng.id_number_hmac) == ("曾国强", "", "")


def test_update_with_the_residents_own_or_a_free_id_number_is_fine(wang, alice, people):
    services.resident_update(actor=alice, resident=wang, data={"id_number": VALID_ID})
    services.resident_update(actor=alice, resident=people.zeng, data={"id_number": OTHER_VALID_ID})
    people.zeng.refresh_from_db()
    assert people.zeng.id_number() == OTHER_VALID_ID


def test_create_in_another_community_with_the_same_id_number_is_fine(wang, bob, bindong):
    resident = services.resident_create(
        actor=bob, community=bindong, data={"name": "王玉枝", "id_number": VALID_ID}
    )
    assert resident.pk and resident.community == bindong


# --- the pages: a write the database refuses after the form's own check ---------------------------


@pytest.fixture
def form_check_missed(monkeypatch):
    """As if the other resident was registered between the form's check and the save."""
    monkeypatch.setattr(resident_forms, "resident_with_id_number", lambda **kwargs: None)


def id_number_block(html: str) -> str:
    return html.split('id="div_id_id_number"')[1].split('id="div_id_birth_date"')[0]


def test_the_add_page_shows_the_refusal_next_to_the_id_number(as_user, alice, wang, form_check_missed):
    response = as_user(alice).post(CREATE, form_data(id_number=VALID_ID))
    assert response.status_code == 200
    block = id_number_block(response.content.decode())
    assert "already registered for 王玉枝" in block and "is-invalid" in block
    assert not Resident.objects.filter(name="刘桂兰").exists()


def test_the_edit_page_shows_the_refusal_next_to_the_id_number(
    as_user, alice, wang, people, form_check_missed
):
    zeng = people.zeng
    response = as_user(alice).post(
        reverse("residents:edit", args=[zeng.pk]), edit_data(zeng, name="曾国栋", id_number=VALID_ID)
    )
    assert response.status_code == 200
    block = id_number_block(response.content.decode())
    assert "already registered for 王玉枝" in block and "is-invalid" in block
    zeng.refresh_from_db()
    assert (zeng.name, zeng.id_number_hmac) == ("曾国强", "")


# --- the admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def admin_post(client, resident: Resident, **changes):
    data = {
        "community": resident.community_id,
        "grid": resident.grid_id or "",
        "name": resident.name,
        "new_phone": "",
        "new_id_number": "",
    }
    data.update(changes)
    return client.post(reverse("admin:residents_resident_change", args=[resident.pk]), data)


def field_row(html: str, field: str) -> str:
    return html.split(f"field-{field}")[1].split("form-row")[0]


def test_the_admin_refuses_a_taken_id_number_next_to_the_field(admin_client, wang, people):
    zeng = people.zeng
    response = admin_post(admin_client, zeng, name="曾国栋", new_id_number=VALID_ID)
    assert response.status_code == 200
    html = response.content.decode()
    row = field_row(html, "new_id_number")
    assert "Another resident of 滨西社区 already has this ID number." in row and "errorlist" in row
    assert "王玉枝" not in row
    zeng.refresh_from_db()
    assert (zeng.name, zeng.id_number_hmac) == ("曾国强", "")


def test_the_admin_allows_the_residents_own_id_number_and_one_of_another_community(
    admin_client, wang, bindong
):
    assert admin_post(admin_client, wang, new_id_number=VALID_ID).status_code == 302
    elsewhere = ResidentFactory(community=bindong, grid=None)
    assert admin_post(admin_client, elsewhere, new_id_number=VALID_ID).status_code == 302
    elsewhere.refresh_from_db()
    assert elsewhere.id_number_hmac == wang.id_number_hmac


def test_the_admin_refuses_moving_a_resident_where_their_id_number_is_taken(admin_client, wang, bindong):
    elsewhere = with_id_number(ResidentFactory(community=bindong, grid=None), VALID_ID)
    elsewhere.save()
    response = admin_post(admin_client, elsewhere, community=wang.community_id)
    assert response.status_code == 200
    row = field_row(response.content.decode(), "community")
    assert "Another resident of 滨西社区 already has this ID number." in row
    elsewhere.refresh_from_db()
    assert elsewhere.community == bindong


def test_the_new_messages_are_in_chinese(wang, people):
    with translation.override("zh-hans"):
        assert str(services.id_number_taken(None).message) == "该身份证号已登记在其他居民名下。"
        form = resident_forms.ResidentForm(
            data=edit_data(people.zeng, id_number=VALID_ID),
            user=None,
            community=wang.community,
            instance=people.zeng,
        )
        assert form.errors["id_number"] == [
            "该身份证号已登记在王玉枝（冶金厂家属院 3号楼 2单元 501室）名下。"
        ]
        admin_form = ResidentAdminForm(
            data={"community": wang.community_id, "name": "曾国强", "new_id_number": VALID_ID},
            instance=people.zeng,
        )
        assert admin_form.errors["new_id_number"] == ["滨西社区已有其他居民登记了此身份证号。"]


# --- the migration -------------------------------------------------------------------------------

BEFORE = ("residents", "0003_roster_import_status_changed_at")
WITH_CONSTRAINT = ("residents", "0004_resident_id_number_unique_per_community")


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_residents_who_already_share_an_id_number(binxi):
    """A database with duplicates from before the constraint: the migration says who, changes nothing."""
    MigrationExecutor(connection).migrate([BEFORE])
    state = MigrationExecutor(connection).loader.project_state(BEFORE)
    OldResident = state.apps.get_model("residents", "Resident")
    shared = OldResident.objects.filter(id_number_hmac="f" * 64).order_by("pk")
    try:
        first, second = (
            OldResident.objects.create(community_id=binxi.pk, name=name, id_number_hmac="f" * 64)
            for name in ("王玉枝", "王玉芝")
        )
        with pytest.raises(RuntimeError) as refused:
            MigrationExecutor(connection).migrate([WITH_CONSTRAINT])
        assert f"community {binxi.pk}: residents {first.pk}, {second.pk}" in str(refused.value)
        assert "f" * 64 not in str(refused.value) and "王" not in str(refused.value)
        assert shared.count() == 2
    finally:  # what a person would do: clear the wrong one; then the migration runs
        shared.exclude(pk__in=shared[:1].values("pk")).update(id_number_hmac="")
        MigrationExecutor(connection).migrate([WITH_CONSTRAINT])
        # and on to the latest, so the tests after this one see every migration applied
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert list(Resident.objects.filter(id_number_hmac="f" * 64).values_list("pk", flat=True)) == [first.pk]


def test_the_admin_clears_an_id_number_entered_for_the_wrong_person(admin_client, wang):
    assert admin_post(admin_client, wang, clear_id_number="on").status_code == 302
    wang.refresh_from_db()
    assert (wang.id_number_hmac, wang.id_number_encrypted, wang.id_number_masked) == ("", "", "")


def test_the_admin_refuses_clearing_and_a_new_id_number_at_once(admin_client, wang):
    response = admin_post(admin_client, wang, clear_id_number="on", new_id_number=OTHER_VALID_ID)
    assert response.status_code == 200
    row = field_row(response.content.decode(), "clear_id_number")
    assert "Either enter a new ID number or clear the current one, not both." in row
    wang.refresh_from_db()
    assert wang.id_number_hmac == idnumbers.fingerprint(VALID_ID)


def test_the_admin_shows_an_anonymised_resident_read_only(admin_client, people, alice):
    zeng = people.zeng
    services.resident_anonymise(actor=alice, resident=zeng)
    page = admin_client.get(reverse("admin:residents_resident_change", args=[zeng.pk]))
    assert page.status_code == 200 and 'name="new_id_number"' not in page.content.decode()
    response = admin_post(admin_client, zeng, name="曾国强", new_id_number=VALID_ID)
    assert response.status_code == 403
    zeng.refresh_from_db()
    assert (zeng.name, zeng.id_number_hmac) == (services.ANONYMISED_NAME, "")


def test_an_admin_save_that_loses_the_race_says_so_and_saves_nothing(admin_client, wang, people, monkeypatch):
    from residents import admin as resident_admin

    monkeypatch.setattr(resident_admin, "resident_with_id_number", lambda **kwargs: None)  # checked too early
    response = admin_post(admin_client, people.zeng, name="曾国栋", new_id_number=VALID_ID)
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert "Nothing was saved: another resident of this community got this ID number meanwhile." in page
    people.zeng.refresh_from_db()
    assert (people.zeng.name, people.zeng.id_number_hmac) == ("曾国强", "")
