"""A request's page: the request, its photos, its timeline, and only the actions this user may take
now, each a POST form calling its service; refusals are messages or field errors, never a 500."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from requests.models import Attachment, RequestEvent, ServiceRequest
from requests.services import request_add_photo, request_assign, request_escalate
from tests.requests.conftest import PNG, in_state, logged, png
from tests.requests.views_support import EN, as_user, count_queries, errors_next_to

__all__ = ["as_user"]  # fixtures


def detail(sr):
    return reverse("requests:detail", args=[sr.reference])


def act(sr, action):
    return reverse("requests:act", args=[sr.reference, action])


def buttons(html: str) -> list[str]:
    return re.findall(r'class="action-form[^"]*" data-action="([^"]+)"', html)


def test_the_page_shows_the_request_and_its_timeline(world, as_user):
    sr = in_state(world, "in_progress")
    html = as_user(world.supervisor).get(detail(sr), **EN).content.decode()
    assert sr.reference in html and "楼道灯不亮" in html and "王玉枝" in html
    assert world.wang.masked_phone in html and world.wang.phone not in html and "13912345678" not in html
    assert re.findall(r'class="list-group-item timeline-event" data-action="([^"]+)"', html) == [
        "log",
        "assign",
        "accept",
    ]
    assert "Logged → Assigned" in html and "Assigned → In progress" in html
    assert "handler " + world.handler.last_name in html  # who the assign named


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("handler", ["return", "refer", "request_extension", "resolve", "withdraw", "add_photo"]),
        ("supervisor", ["assign", "escalate", "withdraw", "add_photo"]),
        ("desk_staff", ["withdraw"]),
        ("volunteer", []),
    ],
)
def test_only_the_actions_this_user_may_take_now(world, as_user, who, expected):
    sr = in_state(world, "in_progress")
    assert buttons(as_user(getattr(world, who)).get(detail(sr)).content.decode()) == expected


def test_accept(world, as_user):
    sr = in_state(world, "assigned")
    client = as_user(world.handler)
    assert buttons(client.get(detail(sr)).content.decode())[0] == "accept"
    response = client.post(act(sr, "accept"), **EN)
    assert response.status_code == 302 and response["Location"] == detail(sr)
    assert ServiceRequest.objects.get(pk=sr.pk).status == "in_progress"
    assert "Accepted." in client.get(detail(sr), **EN).content.decode()


def test_a_refused_transition_is_a_message_and_changes_nothing(world, as_user):
    sr = in_state(world, "in_progress")
    client = as_user(world.handler)
    events = RequestEvent.objects.count()
    response = client.post(act(sr, "accept"), follow=True, **EN)  # already accepted
    assert response.status_code == 200
    assert "Cannot accept: the request is “In progress”." in response.content.decode()
    assert RequestEvent.objects.count() == events


def test_an_action_the_role_may_not_take_is_a_message(world, as_user):
    sr = in_state(world, "in_progress")
    response = as_user(world.volunteer).post(
        act(sr, "withdraw"), {"withdraw-reason": "不要了"}, follow=True, **EN
    )
    assert "You are not allowed to withdraw on this request." in response.content.decode()
    assert ServiceRequest.objects.get(pk=sr.pk).status == "in_progress"


def test_a_missing_reason_is_shown_next_to_the_field(world, as_user):
    sr = in_state(world, "in_progress")
    response = as_user(world.handler).post(act(sr, "return"), {"return-reason": "  "}, **EN)
    html = response.content.decode()
    assert response.status_code == 200 and errors_next_to(html, "return-reason") == [
        "This field is required."
    ]
    assert 'data-action="return" open' in html
    assert ServiceRequest.objects.get(pk=sr.pk).status == "in_progress"


def test_a_service_validation_error_is_shown_next_to_its_field(world, as_user):
    """The form accepts any time; the service refuses one before the current due time."""
    sr = in_state(world, "in_progress")
    earlier = timezone.localtime(sr.resolve_due_at - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"request_extension-new_due_at": earlier, "request_extension-reason": "等配件"}
    html = as_user(world.handler).post(act(sr, "request_extension"), data, **EN).content.decode()
    assert errors_next_to(html, "request_extension-new_due_at") == [
        "The new due time must be later than the current one."
    ]
    assert not ServiceRequest.objects.get(pk=sr.pk).extension_pending


def test_the_whole_loop_through_the_page(world, as_user, media):
    sr = logged(world)
    supervisor = as_user(world.supervisor)
    supervisor.post(act(sr, "assign"), {"assign-handler": world.handler.pk, "assign-note": "请处理"})
    handler = as_user(world.handler)
    handler.post(act(sr, "accept"))
    handler.post(act(sr, "refer"), {"refer-unit": "供电所", "refer-unit_reference": "GD-7"})
    later = timezone.localtime(timezone.now() + dt.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M")
    handler.post(
        act(sr, "request_extension"),
        {"request_extension-new_due_at": later, "request_extension-reason": "等配件"},
    )
    as_user(world.supervisor).post(act(sr, "decide_extension"), {"decide_extension-approve": "1"})
    handler = as_user(world.handler)
    handler.post(act(sr, "resolve"), {"resolve-result": "已更换灯泡", "resolve-photos": [png("after.png")]})
    visitor = as_user(world.desk_staff)
    visitor.post(act(sr, "return_visit"), {"return_visit-rating": "no_answer"})
    visitor.post(act(sr, "return_visit"), {"return_visit-rating": "satisfied", "return_visit-note": "很满意"})
    sr.refresh_from_db()
    assert (sr.status, sr.outcome, sr.rating, sr.referred_to) == ("closed", "resolved", "satisfied", "供电所")
    assert timezone.localtime(sr.resolve_due_at).strftime("%Y-%m-%dT%H:%M") == later  # the approved time
    assert list(RequestEvent.objects.filter(request=sr).values_list("action", flat=True)) == [
        "log",
        "assign",
        "accept",
        "refer",
        "request_extension",
        "approve_extension",
        "resolve",
        "return_visit_no_answer",
        "return_visit",
    ]
    assert Attachment.objects.get(request=sr).kind == "after"
    supervisor = as_user(world.supervisor)
    assert buttons(supervisor.get(detail(sr)).content.decode()) == ["reopen"]
    supervisor.post(act(sr, "reopen"), {"reopen-reason": "又坏了"})
    assert ServiceRequest.objects.get(pk=sr.pk).status == "in_progress"


def test_review_and_reject_and_escalate(world, as_user):
    client = as_user(world.supervisor)
    unhappy = in_state(world, "resolved", review=True)
    assert "review" in buttons(client.get(detail(unhappy)).content.decode())
    client.post(act(unhappy, "review"), {"review-reopen": "0", "review-reason": "已解释清楚"})
    assert ServiceRequest.objects.get(pk=unhappy.pk).status == "closed"
    fresh = logged(world)
    client.post(act(fresh, "reject"), {"reject-reason": "不属于社区职责"})
    assert ServiceRequest.objects.get(pk=fresh.pk).outcome == "rejected"
    working = in_state(world, "in_progress")
    client.post(act(working, "escalate"), {"escalate-note": "请尽快"})
    assert ServiceRequest.objects.get(pk=working.pk).escalated_at is not None


def test_an_unknown_action_is_404_and_get_goes_to_the_request_page(world, as_user):
    sr = logged(world)
    client = as_user(world.supervisor)
    assert client.post(act(sr, "explode")).status_code == 404
    response = client.get(act(sr, "assign"))  # a reload after a form error: never a blank 405
    assert response.status_code == 302 and response["Location"] == detail(sr)


def test_another_community_gets_404_everywhere(world, as_user, media):
    sr = in_state(world, "in_progress")
    request_add_photo(actor=world.handler, request_id=sr.pk, photos=[png()], kind="before")
    photo = Attachment.objects.get(request=sr)
    bob = as_user(world.outsider)
    assert bob.get(detail(sr)).status_code == 404
    assert bob.get(reverse("requests:logged", args=[sr.reference])).status_code == 404
    assert bob.post(act(sr, "escalate"), {"escalate-note": "x"}).status_code == 404
    assert bob.get(reverse("requests:photo", args=[sr.reference, photo.pk])).status_code == 404
    assert ServiceRequest.objects.get(pk=sr.pk).escalated_at is None


def test_photos_are_served_to_members(world, as_user, media):
    sr = in_state(world, "in_progress")
    request_add_photo(actor=world.handler, request_id=sr.pk, photos=[png()], kind="before")
    photo = Attachment.objects.get(request=sr)
    client = as_user(world.volunteer)
    html = client.get(detail(sr)).content.decode()
    url = reverse("requests:photo", args=[sr.reference, photo.pk])
    assert f'src="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    # a photo id under another request's reference is not found
    other = logged(world)
    assert client.get(reverse("requests:photo", args=[other.reference, photo.pk])).status_code == 404


def test_the_page_costs_the_same_with_1_and_25_timeline_lines(world, as_user):
    sr = logged(world, category=world.repair)  # the grid worker's by the rule: the log line names them
    client = as_user(world.supervisor)
    count_queries(client, detail(sr))
    at_one = count_queries(client, detail(sr))
    for n in range(12):
        request_assign(
            actor=world.supervisor, request_id=sr.pk, handler=[world.handler, world.grid_worker][n % 2]
        )
        request_escalate(actor=world.supervisor, request_id=sr.pk, note=f"第{n}次督办")
    assert RequestEvent.objects.filter(request=sr).count() == 25
    at_many = count_queries(client, detail(sr))
    assert at_one == at_many, f"{at_one} queries with 1 line, {at_many} with 25"


def test_the_handler_box_starts_with_a_dash_not_djangos_dashes(world, as_user):
    sr = logged(world)
    html = as_user(world.supervisor).get(reverse("requests:detail", args=[sr.reference])).content.decode()
    assert 'name="assign-handler"' in html and '<option value="" selected>—</option>' in html
    assert "---------" not in html


def test_the_return_visit_form_has_no_rating_chosen_in_advance(world, as_user):
    sr = in_state(world, "resolved")
    visitor = as_user(world.supervisor)
    html = visitor.get(detail(sr), **EN).content.decode()
    rating = html.split('name="return_visit-rating"')[1].split("</select>")[0]
    assert re.search(r'<option value="" selected>— choose what the resident said</option>', rating)
    response = visitor.post(act(sr, "return_visit"), {"return_visit-rating": ""}, **EN)
    assert errors_next_to(response.content.decode(), "return_visit-rating") == ["This field is required."]
    assert ServiceRequest.objects.get(pk=sr.pk).status == "resolved"


@pytest.mark.parametrize(
    ("approve", "said"), [("1", "The extension was approved."), ("0", "The extension was refused.")]
)
def test_deciding_an_extension_says_which_way(world, as_user, approve, said):
    sr = in_state(world, "in_progress", extension=True)
    supervisor = as_user(world.supervisor)
    response = supervisor.post(act(sr, "decide_extension"), {"decide_extension-approve": approve}, **EN)
    assert response.status_code == 302
    assert said in supervisor.get(detail(sr), **EN).content.decode()


def test_the_timeline_shows_each_sms_about_the_request_with_its_state_and_the_number_masked(world, as_user):
    from residents.sms.inbound import receive_reply
    from residents.sms.models import SmsMessage

    sr = in_state(world, "resolved")  # acknowledgement, accepted, resolved (wang agreed to status SMS)
    other = logged(world, description="另一件事")
    SmsMessage.objects.filter(subject=sr.reference, kind="accepted").update(state="sent")
    receive_reply(provider="aliyun", provider_id="r1", phone=world.wang.phone, text="灯又坏了，请再来看看")
    html = as_user(world.supervisor).get(detail(sr), **EN).content.decode()
    states = re.findall(r'class="list-group-item timeline-sms" data-state="([^"]+)"', html)
    assert len(states) == 3 and "sent" in states
    assert "SMS: Acknowledgement" in html and "SMS: Resolved" in html
    assert world.wang.masked_phone in html and "13912345678" not in html
    # The reply was kept on the number's latest request (the other one), not on this one.
    assert "timeline-reply" not in html
    html = as_user(world.supervisor).get(detail(other), **EN).content.decode()
    assert len(re.findall(r"timeline-sms", html)) == 1
    assert "SMS reply from the resident" in html and "灯又坏了，请再来看看" in html
    assert "13912345678" not in html


def test_a_rating_reply_is_not_shown_as_kept_text_and_anothers_messages_are_not_shown(world, as_user):
    from residents.sms.inbound import receive_reply
    from residents.sms.models import SmsMessage

    sr = in_state(world, "resolved")
    receive_reply(provider="aliyun", provider_id="r2", phone=world.wang.phone, text="1")
    stranger = logged(world, actor=world.outsider, community=world.bindong, resident=world.stranger)
    html = as_user(world.supervisor).get(detail(sr), **EN).content.decode()
    assert "timeline-reply" not in html
    assert SmsMessage.objects.filter(subject=stranger.reference).exists()
    assert html.count("timeline-sms") == SmsMessage.objects.filter(subject=sr.reference).count()


def test_the_page_costs_the_same_with_1_and_25_messages_and_replies(world, as_user):
    from residents.sms.inbound import receive_reply
    from residents.sms.models import SmsMessage

    sr = logged(world, category=world.repair)  # one acknowledgement
    client = as_user(world.supervisor)
    count_queries(client, detail(sr))
    at_one = count_queries(client, detail(sr))
    assert SmsMessage.objects.filter(subject=sr.reference).count() == 1
    for n in range(24):
        request_escalate(actor=world.supervisor, request_id=sr.pk, note=f"第{n}次督办")
        SmsMessage.objects.create(
            community=world.binxi, kind="staff_reminder", purpose="staff", phone="+8613700000000",
            subject=sr.reference, text=f"{sr.reference} 督办 {n}", state="sent",
        )  # fmt: skip
        receive_reply(provider="aliyun", provider_id=f"m{n}", phone=world.wang.phone, text=f"第{n}条留言")
    at_many = count_queries(client, detail(sr))
    html = client.get(detail(sr)).content.decode()
    assert html.count("timeline-sms") == 25 and html.count("timeline-reply") == 24
    assert at_one == at_many, f"{at_one} queries with 1 message, {at_many} with 25 and 24 replies"
