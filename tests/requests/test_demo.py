"""The demo requests: every status and outcome, DESIGN's stories, written once."""

import pytest
from django.db.models import Count, F

from requests import clock, demo
from requests.models import RequestEvent, ServiceRequest
from residents import demo as residents_demo
from residents.sms.models import SmsMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db, categories):
    residents_demo.seed()
    return demo.seed()


def test_the_demo(seeded):
    """One test: seeding 滨西社区's 5,400 residents first takes a while."""
    every_status_and_outcome(seeded)
    the_stories()
    history_sends_no_sms_and_a_second_run_adds_nothing()
    the_phones_pass_the_apps_own_check()
    the_first_sweep_reminds_the_grid_worker_of_the_request_to_accept()
    the_volunteer_records_and_reads_screenings()


def the_volunteer_records_and_reads_screenings():
    """DESIGN §4.2: the article's volunteers take blood pressure, so the demo's has the permission."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from residents.models import Resident
    from residents.roles import Can
    from residents.scoping import can

    volunteer = get_user_model().objects.get(username="volunteer")
    wang = Resident.objects.get(name="王玉枝")
    assert can(volunteer, wang.community_id, Can.HEALTH)
    client = Client()
    client.force_login(volunteer)
    assert client.get(reverse("desks:resident_screenings", kwargs={"pk": wang.pk})).status_code == 200

    # Her flagged screening's follow-up goes to the health follow-up's named handler, not to nobody.
    from desks.models import Screening
    from requests.services import request_from_screening

    screening = Screening.objects.create(
        community_id=wang.community_id,
        resident=wang,
        recorded_by=volunteer,
        systolic=172,
        diastolic=104,
        bp_flagged=True,
    )
    sr = request_from_screening(actor=volunteer, screening_id=screening.pk)
    assert sr.status == "assigned" and sr.handler.username == "deskstaff"


def the_phones_pass_the_apps_own_check():
    from residents.models import Resident
    from residents.phones import normalize_phone

    phones = list(Resident.objects.exclude(phone="").values_list("phone", flat=True))
    assert len(phones) > 5000
    assert [p for p in phones if normalize_phone(p) != p] == []


def every_status_and_outcome(seeded):
    assert 200 <= seeded <= 600
    requests = ServiceRequest.objects.filter(community__code="BX")
    statuses = dict(requests.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == {"logged", "assigned", "in_progress", "resolved", "closed"}, statuses
    outcomes = set(requests.filter(status="closed").values_list("outcome", flat=True))
    assert outcomes == {"resolved", "answered_on_the_spot", "withdrawn", "rejected"}
    ratings = set(requests.exclude(rating="").values_list("rating", flat=True))
    assert ratings == {"satisfied", "fairly_satisfied", "dissatisfied", "unreachable"}
    assert requests.filter(review_pending=True).exists()
    assert requests.filter(original_resolve_due_at__lt=F("resolve_due_at")).exists()  # extended
    assert requests.filter(escalated_at__isnull=False).exists()
    # The demo's history ends now, so it may cross a new year: references count from 1 in each year
    # of the intake, contiguous, in the order of the intake times.
    rows = requests.order_by("logged_at", "id").values_list("reference", "logged_at")
    numbers_by_year = {}
    for reference, logged_at in rows:
        code, year, number = reference.split("-")
        assert (code, int(year)) == ("BX", clock.local(logged_at).year), reference
        numbers_by_year.setdefault(year, []).append(int(number))
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in numbers_by_year.values())
    assert sum(map(len, numbers_by_year.values())) == seeded


def the_stories():
    light = ServiceRequest.objects.get(resident__name="王玉枝", category__code="urgent_repair")
    assert (light.status, light.rating, light.rating_source) == ("closed", "satisfied", "sms")
    assert (light.resolved_at - light.logged_at).total_seconds() == 30 * 60
    assert (
        ServiceRequest.objects.filter(
            category__code="policy_childcare_subsidy", outcome="answered_on_the_spot"
        ).count()
        >= 4
    )
    hotline = ServiceRequest.objects.get(source="hotline")
    assert (
        hotline.hotline_reference.startswith("12345-")
        and hotline.resolve_due_at == hotline.original_resolve_due_at
    )
    parking = ServiceRequest.objects.get(referred_reference="WY-2026-1107")
    assert (parking.category.code, parking.status, parking.referred_to) == (
        "parking",
        "in_progress",
        "滨河物业",
    )
    overdue = ServiceRequest.objects.get(description="老街南院垃圾房周边污水横流。")
    assert overdue.is_overdue() and overdue.escalated_at is not None
    waiting = ServiceRequest.objects.get(description="楼上漏水，两家协商不成，需社区出面调解。")
    assert (waiting.status, waiting.handler_id) == ("logged", None)  # for the supervisor to assign
    errand = ServiceRequest.objects.get(description="独居老人托社区代办老年证，照片已拍好。")
    assert (errand.status, errand.handler.username) == ("assigned", "gridworker")


def history_sends_no_sms_and_a_second_run_adds_nothing():
    assert not SmsMessage.objects.filter(state__in=["pending", "held"]).exists()
    events = RequestEvent.objects.count()
    assert demo.seed() == 0
    assert RequestEvent.objects.count() == events


def the_first_sweep_reminds_the_grid_worker_of_the_request_to_accept():
    """`make run`'s beat sweeps within SWEEP_INTERVAL_SECONDS (15 s in development): the errand
    waiting to be accepted is in the grid worker's inbox then, once."""
    from requests.models import InboxItem
    from requests.services.sweep import reminders_sweep

    errand = "独居老人托社区代办老年证"
    waiting = ServiceRequest.objects.get(status="assigned", description__startswith=errand)
    assert reminders_sweep()["fired"] > 0
    item = InboxItem.objects.get(request=waiting, kind="accept")
    assert item.user.username == "gridworker" and item.read_at is None
    assert reminders_sweep()["fired"] == 0  # caught up once; the next ones are due later
