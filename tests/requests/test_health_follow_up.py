"""A flagged screening's follow-up request (issue 12): it takes the handler its category's rule
gives, the rule picks only members with the health permission, the reading, the flag and the
screening are shown only to them, and the screening's button says that a follow-up exists."""

import re

import pytest
from django.urls import reverse

from desks.models import Screening
from requests.models import Category, CategoryHandler
from requests.services import request_from_screening
from tests.requests.views_support import EN, as_user

__all__ = ["as_user"]  # fixtures


@pytest.fixture
def screening(world):
    return Screening.objects.create(
        community=world.binxi,
        resident=world.wang,
        recorded_by=world.health_staff,
        systolic=172,
        diastolic=104,
        bp_flagged=True,
    )


@pytest.fixture
def health_category(world):
    return Category.objects.get(code="health_follow_up")


def test_the_follow_up_category_names_its_handler_like_any_other(health_category):
    assert health_category.handler_rule == "named"


def test_a_follow_up_takes_the_handler_its_category_names(world, screening, health_category):
    CategoryHandler.objects.create(category=health_category, community=world.binxi, user=world.health_staff)
    sr = request_from_screening(actor=world.health_staff, screening_id=screening.pk)
    assert (sr.status, sr.handler) == ("assigned", world.health_staff)


def test_the_rule_never_names_someone_without_the_health_permission(world, screening, health_category):
    CategoryHandler.objects.create(category=health_category, community=world.binxi, user=world.handler)
    sr = request_from_screening(actor=world.health_staff, screening_id=screening.pk)
    assert (sr.status, sr.handler) == ("logged", None)  # a supervisor assigns


def test_by_grid_worker_only_one_with_the_health_permission(world, screening, health_category):
    health_category.handler_rule = "grid_worker"
    health_category.save()
    sr = request_from_screening(actor=world.health_staff, screening_id=screening.pk)
    assert sr.handler is None  # 王玉枝's grid worker has no health permission
    world.grid_worker.memberships.update(health_permission=True)
    screening.pk = None  # another flagged screening of hers
    screening.save()
    sr = request_from_screening(actor=world.health_staff, screening_id=screening.pk)
    assert sr.handler == world.grid_worker


def test_the_named_handler_must_have_the_health_permission(world, health_category):
    from django.core.exceptions import ValidationError

    row = CategoryHandler(category=health_category, community=world.binxi, user=world.handler)
    with pytest.raises(ValidationError):
        row.full_clean()
    CategoryHandler(category=health_category, community=world.binxi, user=world.health_staff).full_clean()


def test_without_the_health_permission_the_request_shows_no_health_data(world, as_user, screening):
    sr = request_from_screening(
        actor=world.health_staff, screening_id=screening.pk, description="血压 172/104，请复测"
    )
    detail = reverse("requests:detail", args=[sr.reference])
    for user in (world.desk_staff, world.grid_worker, world.volunteer):
        client = as_user(user)
        for url in (detail, reverse("requests:list"), reverse("requests:logged", args=[sr.reference])):
            html = client.get(url, **EN).content.decode()
            assert "172/104" not in html and "Follow-up of the health screening" not in html, (user, url)
            assert "high blood pressure" not in html
            assert reverse("desks:resident_screenings", args=[world.wang.pk]) not in html
        html = client.get(detail, **EN).content.decode()
        category = Category.objects.get(code="health_follow_up").name_en
        assert category in html and world.wang.name in html  # the category and the resident

    html = as_user(world.health_staff).get(detail, **EN).content.decode()
    assert "172/104" in html and "high blood pressure" in html
    assert reverse("desks:resident_screenings", args=[world.wang.pk]) in html


def test_the_screening_button_shows_that_a_follow_up_exists(world, as_user, screening):
    page = reverse("desks:resident_screenings", args=[world.wang.pk])
    client = as_user(world.health_staff)
    assert "follow-up-exists" not in client.get(page, **EN).content.decode()
    sr = request_from_screening(actor=world.health_staff, screening_id=screening.pk)
    html = client.get(page, **EN).content.decode()
    assert re.search(r'class="[^"]*follow-up-exists', html)
    assert reverse("requests:detail", args=[sr.reference]) in html and sr.reference in html
    assert "Follow-up request logged" in html


def test_english_category_names_start_with_a_capital(world):
    names = list(Category.objects.values_list("name_en", flat=True))
    assert names and all(name[0].isupper() for name in names), names
