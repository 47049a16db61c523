"""Logging a request: references, the double tap, default handlers, anonymous requests, query counts,
answered on the spot, and the follow-up of a flagged health screening."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from requests import clock
from requests.attachments import MAX_PHOTO_BYTES
from requests.errors import NotAllowed, TransitionError
from requests.models import (
    Attachment,
    CategoryHandler,
    ReferenceCounter,
    ReminderStep,
    RequestEvent,
    ServiceRequest,
)
from requests.services import request_answer_on_the_spot, request_from_screening
from residents.models import Resident
from residents.sms.models import SmsMessage
from tests.factories import ResidentFactory
from tests.requests.conftest import logged, png, shanghai

pytestmark = pytest.mark.django_db


def test_references_count_per_community_and_year(world):
    with clock.frozen(shanghai(2026, 11, 24, 9, 0)):  # the year is the clock's, not the test run's
        first, second = logged(world), logged(world)
    assert (first.reference, second.reference) == ("BX-2026-000001", "BX-2026-000002")
    with clock.frozen(shanghai(2027, 1, 4, 9, 0)):
        assert logged(world).reference == "BX-2027-000001"
    assert ReferenceCounter.objects.get(community=world.binxi, year=2026).last == 2


def test_a_double_tap_makes_one_request(world):
    first = logged(world, idempotency_token="tap-1")
    again = logged(world, idempotency_token="tap-1", description="(sent twice)")
    assert again.pk == first.pk
    assert ServiceRequest.objects.count() == 1
    assert RequestEvent.objects.count() == SmsMessage.objects.count() == 1
    assert ReferenceCounter.objects.get().last == 1
    # another token is another request; the token is per community
    assert logged(world, idempotency_token="tap-2").pk != first.pk


def test_a_new_resident_is_added_with_the_request_and_only_once(world):
    """request_log adds the form's new resident in its own transaction: the same token again
    returns the first request and adds nobody; a refused request adds nobody either."""
    new = {"name": "李秀英", "phone": "13803956789", "sms_consent": True}
    first = logged(world, resident=None, new_resident=new, idempotency_token="tap-1")
    added = Resident.objects.get(name="李秀英")
    assert first.resident == added and added.community == world.binxi and added.created_by == world.desk_staff
    again = logged(world, resident=None, new_resident=new, idempotency_token="tap-1")
    assert again.pk == first.pk and again.logged_before
    with pytest.raises(ValidationError):
        logged(world, resident=None, new_resident=new, description=" ")
    answered = request_answer_on_the_spot(
        actor=world.desk_staff,
        community=world.binxi,
        category=world.subsidy,
        description="二孩补贴怎么申请",
        answer="带户口本到社区登记",
        new_resident={**new, "phone": "13803956780"},
        idempotency_token="tap-2",
    )
    assert Resident.objects.filter(name="李秀英").count() == 2 and answered.resident.phone.endswith("780")
    with pytest.raises(ValueError):  # a resident and a new one: a caller's mistake, nothing written
        logged(world, new_resident=new)
    assert Resident.objects.filter(name="李秀英").count() == 2 and ServiceRequest.objects.count() == 2


def test_a_logged_request_has_its_event_notice_and_assign_step(world):
    at = shanghai(2026, 11, 24, 9, 15)
    with clock.frozen(at):
        sr = logged(world)
    assert sr.status == "logged" and sr.handler is None
    assert sr.location == world.wang.address and sr.grid == world.grid
    assert sr.created_by == world.desk_staff and sr.logged_at == at
    event = RequestEvent.objects.get(request=sr)
    assert (event.action, event.from_status, event.to_status, event.actor, event.public) == (
        "log",
        "",
        "logged",
        world.desk_staff,
        True,
    )
    assert event.data["sms"] == "acknowledgement"
    notice = SmsMessage.objects.get(subject=sr.reference)
    assert (notice.kind, notice.state) == ("acknowledgement", "pending")
    step = ReminderStep.objects.get(request=sr)
    assert (step.step, step.sequence, step.status, step.due_at) == ("assign", 1, "pending", at)


def test_anonymous_requests_owe_no_sms(world):
    sr = logged(world, resident=None, location="滨河小区北门")
    assert sr.is_anonymous and sr.location == "滨河小区北门"
    assert not SmsMessage.objects.exists()
    assert "sms" not in RequestEvent.objects.get(request=sr).data


def test_desk_staff_and_supervisors_choose_the_handler_at_intake(world):
    """§4.1 assign row: "supervisor (desk staff only at intake)"; §4.2 gives assigning to supervisors."""
    sr = logged(world, handler=world.handler)
    assert (sr.status, sr.handler, sr.assigned_at) == ("assigned", world.handler, sr.logged_at)
    assert ReminderStep.objects.get(request=sr).step == "accept"
    assert logged(world, actor=world.supervisor, handler=world.handler).handler == world.handler


def test_grid_workers_and_volunteers_may_not_choose_the_handler(world):
    for actor in (world.volunteer, world.grid_worker):
        with pytest.raises(NotAllowed):
            logged(world, actor=actor, handler=world.handler)
        with pytest.raises(NotAllowed):
            logged(world, actor=actor, leave_unassigned=True)
    assert not ServiceRequest.objects.exists()
    # they still log; the category's rule picks the handler
    assert logged(world, actor=world.grid_worker, category=world.repair).handler == world.grid_worker


def test_the_handler_must_be_a_handler_of_this_community(world):
    for not_a_handler in (world.volunteer, world.outsider, world.administrator):
        with pytest.raises(ValidationError) as raised:
            logged(world, handler=not_a_handler)
        assert "handler" in raised.value.message_dict
    assert not ServiceRequest.objects.exists()


def test_default_handler_is_the_grid_worker_of_the_residents_grid(world):
    sr = logged(world, category=world.repair)
    assert (sr.status, sr.handler) == ("assigned", world.grid_worker)
    # anonymous: no grid, no named handler → a supervisor assigns
    assert logged(world, category=world.repair, resident=None).status == "logged"


def test_staff_who_clear_the_pre_filled_handler_leave_it_to_the_supervisors(world):
    sr = logged(world, category=world.repair, leave_unassigned=True)  # the rule would name the grid worker
    assert (sr.status, sr.handler) == ("logged", None)
    assert ReminderStep.objects.get(request=sr).step == "assign"
    with pytest.raises(ValidationError):
        logged(world, handler=world.handler, leave_unassigned=True)


def test_a_grid_worker_who_cannot_handle_falls_back_to_the_named_handler(world):
    CategoryHandler.objects.create(category=world.repair, community=world.binxi, user=world.handler)
    world.grid_worker.memberships.update(role="volunteer")  # moved to another job in the community
    sr = logged(world, category=world.repair)
    assert (sr.status, sr.handler) == ("assigned", world.handler)


def test_default_handler_falls_back_to_the_named_member(world):
    CategoryHandler.objects.create(category=world.repair, community=world.binxi, user=world.handler)
    assert logged(world, category=world.repair, resident=None).handler == world.handler
    world.other.handler_rule = "named"
    world.other.save()
    CategoryHandler.objects.create(category=world.other, community=world.binxi, user=world.volunteer)
    assert logged(world).status == "logged"  # a volunteer cannot be a handler: the rule names nobody


def test_inputs_are_checked_before_anything_is_written(world, media):
    cases = [
        ({"description": "  "}, "description"),
        ({"category": world.other.parent or world.subsidy.parent}, "category"),
        ({"resident": world.stranger}, "resident"),
        ({"source": "fax"}, "source"),
        ({"priority": "extreme"}, "priority"),
        ({"source": "hotline"}, "hotline_reference"),
        ({"hotline_reference": "HN-1"}, "source"),
        ({"photos": [SimpleUploadedFile("x.txt", b"hello")]}, "photos"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as raised:
            logged(world, **overrides)
        assert field in raised.value.message_dict, overrides
    assert not ServiceRequest.objects.exists() and not ReferenceCounter.objects.filter(last__gt=0).exists()


def test_before_photos_are_stored(world, media):
    sr = logged(world, photos=[png("灯.png")])
    photo = Attachment.objects.get(request=sr)
    assert (photo.kind, photo.content_type, photo.uploaded_by) == ("before", "image/png", world.desk_staff)
    assert photo.file.name.startswith("requests/") and photo.file.name.endswith(".png")
    assert "灯" not in photo.file.name
    assert (media / photo.file.name).read_bytes().startswith(b"\x89PNG")


def test_photo_checks():
    from requests.attachments import sniff_image_type, validate_photo

    assert sniff_image_type(b"\xff\xd8\xff\xe0" + b"0" * 12) == "image/jpeg"
    assert sniff_image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_image_type(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00") == "image/heic"
    assert sniff_image_type(b"GIF89a" + b"0" * 10) is None
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * MAX_PHOTO_BYTES)
    with pytest.raises(ValidationError):
        validate_photo(big)


def test_log_issues_a_fixed_number_of_queries(world, django_assert_num_queries):
    from residents.versioned_cache import enabled

    # The SMS template comes from the cache (residents.versioned_cache); with the database as the
    # cache (the embedded default) it is a query.
    sms = 1 if enabled() else 2
    logged(world)  # the year's counter exists, the calendar is cached, memberships are read
    # Inside the test's transaction `atomic` is a savepoint: SAVEPOINT and RELEASE count too.
    with django_assert_num_queries(2 + 4 + sms):
        # counter +1 (one upsert), request, (SMS template,) SMS outbox row, reminder step, event
        logged(world)
    with django_assert_num_queries(2 + 4 + sms):  # a token costs nothing: its unique index checks it
        logged(world, idempotency_token="t-1")
    with django_assert_num_queries(2 + 4):  # anonymous: no SMS
        logged(world, resident=None)
    for _ in range(8):
        logged(world)
    with django_assert_num_queries(2 + 4 + sms):  # the same, the twelfth time
        logged(world)


def test_answered_on_the_spot(world):
    sr = request_answer_on_the_spot(
        actor=world.volunteer,
        community=world.binxi,
        category=world.subsidy,
        description="二孩补贴怎么领？",
        answer="孩子满三个月后，带户口本和出生证明到社区登记。",
        resident=world.wang,
    )
    assert (sr.status, sr.outcome, sr.closed_at) == ("closed", "answered_on_the_spot", sr.logged_at)
    assert sr.result.startswith("孩子满三个月")
    notice = SmsMessage.objects.get(subject=sr.reference)  # one SMS: acknowledgement with the answer
    assert notice.kind == "answered" and notice.params["answer"] == sr.result
    assert not ReminderStep.objects.filter(request=sr).exists()
    assert RequestEvent.objects.get(request=sr).action == "answer"


def test_a_12345_question_answered_on_the_spot_keeps_the_hotline_reference(world):
    question = {
        "actor": world.desk_staff,
        "community": world.binxi,
        "category": world.subsidy,
        "description": "二孩补贴怎么领？",
        "answer": "带户口本和出生证明到社区登记。",
        "resident": world.wang,
    }
    with pytest.raises(ValidationError) as raised:
        request_answer_on_the_spot(**question, source="hotline")
    assert "hotline_reference" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        request_answer_on_the_spot(**question, hotline_reference="12345-0001")  # a desk question
    assert "source" in raised.value.message_dict
    assert not ServiceRequest.objects.exists()
    sr = request_answer_on_the_spot(**question, source="hotline", hotline_reference=" 12345-0001 ")
    assert (sr.status, sr.source, sr.hotline_reference) == ("closed", "hotline", "12345-0001")


class TestFromScreening:
    @pytest.fixture
    def screening(self, world):
        from desks.models import Screening

        return Screening.objects.create(
            community=world.binxi,
            resident=world.wang,
            recorded_by=world.health_staff,
            systolic=172,
            diastolic=104,
            bp_flagged=True,
        )

    def test_a_flagged_screening_becomes_one_follow_up(self, world, screening):
        sr = request_from_screening(actor=world.health_staff, screening_id=screening.pk)
        assert sr.category.code == "health_follow_up" and sr.resident == world.wang
        assert sr.screening == screening and sr.status == "logged"
        assert "172" not in sr.description  # no reading in what every staff member sees
        assert not SmsMessage.objects.exists()  # health follow-up: SMS off by default
        assert RequestEvent.objects.get(request=sr).data["screening"] == screening.pk
        again = request_from_screening(actor=world.supervisor, screening_id=screening.pk)
        assert again.pk == sr.pk and ServiceRequest.objects.count() == 1

    def test_needs_the_health_permission(self, world, screening):
        for actor in (world.desk_staff, world.volunteer, world.outsider):
            with pytest.raises(NotAllowed):
                request_from_screening(actor=actor, screening_id=screening.pk)

    def test_only_flagged_screenings(self, world, screening):
        screening.bp_flagged = False
        screening.save()
        with pytest.raises(TransitionError):
            request_from_screening(actor=world.health_staff, screening_id=screening.pk)


def test_another_communitys_resident_cannot_be_logged_here(world):
    bindong_resident = ResidentFactory(community=world.bindong)
    with pytest.raises(ValidationError):
        logged(world, resident=bindong_resident)
