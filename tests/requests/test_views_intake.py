"""The intake form at the desk: pick or add the resident, category buttons, the handler the rule
names, photos, answered on the spot, the session pre-selected — and one request per form however
often it is sent."""

import re

import pytest
from django.urls import reverse

from requests.models import Attachment, RequestEvent, ServiceRequest
from residents.models import Resident
from tests.requests.conftest import PNG, png
from tests.requests.views_support import EN, as_user, errors_next_to, intake_data, session, token_from

__all__ = ["as_user", "session"]  # fixtures

CREATE = reverse("requests:create")


def counts():
    return (ServiceRequest.objects.count(), RequestEvent.objects.count(), Resident.objects.count())


def test_the_form_from_an_open_session_has_the_session_and_a_token(world, session, as_user):
    client = as_user(world.desk_staff)
    html = client.get(f"{CREATE}?session={session.pk}", **EN).content.decode()
    assert f'<option value="{session.pk}" selected>' in html
    assert 'accept="image/*" capture="environment" multiple' in html
    assert 'class="btn-check" name="category"' in html
    assert world.repair.name_en in html and world.subsidy.name_en in html  # big buttons, in English here
    assert "Policy consultation" in html  # the group heading
    token = token_from(html)
    assert len(token) >= 20 and token != token_from(
        client.get(f"{CREATE}?session={session.pk}").content.decode()
    )
    # the resident search is scoped to the session's community and comes back to this form
    pick = f"/requests/new/?community\\u003D{world.binxi.pk}\\u0026session\\u003D{session.pk}"
    assert f'"pick": "{pick}", "community": "{world.binxi.pk}"' in html


def test_a_picked_resident_is_shown_with_a_masked_phone(world, as_user):
    html = as_user(world.desk_staff).get(f"{CREATE}?resident={world.wang.pk}").content.decode()
    assert "王玉枝" in html and world.wang.masked_phone in html
    assert "13912345678" not in html and world.wang.phone not in html
    assert f'name="resident" value="{world.wang.pk}"' in html


def test_logging_shows_the_reference_big(world, session, as_user):
    client = as_user(world.desk_staff)
    data = intake_data(world, client, url=f"{CREATE}?session={session.pk}", desk_session=session.pk)
    response = client.post(CREATE, data)
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "requests:logged", args=[sr.reference]
    )
    assert sr.resident == world.wang and sr.desk_session == session and sr.created_by == world.desk_staff
    assert sr.status == "logged" and sr.source == "desk" and sr.idempotency_token == data["idempotency_token"]
    html = client.get(response["Location"]).content.decode()
    assert f'<h1 class="reference-big mb-2" id="reference">{sr.reference}</h1>' in html
    assert f"?community={world.binxi.pk}&amp;session={session.pk}" in html  # log another, same desk


def test_a_double_submit_with_the_same_token_logs_one_request(world, as_user):
    client = as_user(world.desk_staff)
    data = intake_data(world, client)
    first = client.post(CREATE, data)
    second = client.post(CREATE, data)  # a double tap, a retry, or the back button and send again
    assert ServiceRequest.objects.count() == 1 and RequestEvent.objects.count() == 1
    assert first["Location"] == second["Location"]
    client.get(first["Location"])  # (the messages so far are read)
    client.post(CREATE, data, **EN)
    assert "logged already" in client.get(first["Location"], **EN).content.decode()
    client.post(CREATE, intake_data(world, client), **EN)  # a new form (a new token) is a new request
    assert "logged already" not in client.get(first["Location"], **EN).content.decode()
    assert ServiceRequest.objects.count() == 2


def test_the_service_makes_one_request_even_when_the_view_misses_the_first(world, as_user, monkeypatch):
    """A retry that races the first submit gets past the view's check: request_log still returns
    the first request."""
    from requests import selectors

    client = as_user(world.desk_staff)
    data = intake_data(world, client)
    client.post(CREATE, data)
    monkeypatch.setattr(selectors, "request_by_token", lambda **kwargs: None)
    response = client.post(CREATE, data)
    assert response.status_code == 302 and ServiceRequest.objects.count() == 1


def test_adding_the_resident_inline(world, as_user):
    client = as_user(world.desk_staff)
    data = intake_data(
        world, client, resident="", new_name="李秀英", new_phone="138 0395 6789", new_sms_consent="on"
    )
    response = client.post(CREATE, data)
    assert response.status_code == 302
    resident = Resident.objects.get(name="李秀英")
    assert resident.phone == "+8613803956789" and resident.sms_consent and resident.community == world.binxi
    assert ServiceRequest.objects.get().resident == resident
    # sent again: still one resident and one request
    client.post(CREATE, data)
    assert Resident.objects.filter(name="李秀英").count() == 1 and ServiceRequest.objects.count() == 1


def test_a_retry_racing_the_first_does_not_add_the_resident_twice(world, as_user, monkeypatch):
    from requests import selectors

    client = as_user(world.desk_staff)
    data = intake_data(world, client, resident="", new_name="李秀英", new_phone="13803956789")
    client.post(CREATE, data)
    monkeypatch.setattr(selectors, "request_by_token", lambda **kwargs: None)
    assert client.post(CREATE, data).status_code == 302
    assert Resident.objects.filter(name="李秀英").count() == 1 and ServiceRequest.objects.count() == 1


def test_bad_input_shows_errors_next_to_the_fields_and_writes_nothing(world, as_user):
    client = as_user(world.desk_staff)
    before = counts()
    data = intake_data(world, client, category="", description="  ", **{})
    response = client.post(CREATE, data, **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a category." in html
    assert errors_next_to(html, "description") == ["This field is required."]
    assert counts() == before
    # the token survives the error, so fixing and sending still makes one request
    assert token_from(html) == data["idempotency_token"]


def test_no_resident_and_not_anonymous_is_refused(world, as_user):
    client = as_user(world.desk_staff)
    response = client.post(CREATE, intake_data(world, client, resident=""), **EN)
    assert "Pick the resident, add them, or tick “anonymous”." in response.content.decode()
    assert ServiceRequest.objects.count() == 0
    response = client.post(CREATE, intake_data(world, client, resident="", anonymous="on"))
    assert response.status_code == 302 and ServiceRequest.objects.get().resident is None


def test_a_bad_phone_for_a_new_resident_is_shown_next_to_it(world, as_user):
    client = as_user(world.desk_staff)
    data = intake_data(world, client, resident="", new_name="李秀英", new_phone="12345")
    html = client.post(CREATE, data, **EN).content.decode()
    assert errors_next_to(html, "new_phone") == ["This phone number is too short."]
    assert counts()[0] == 0 and not Resident.objects.filter(name="李秀英").exists()


def test_a_service_error_goes_next_to_its_field(world, as_user):
    """A 12345 hotline request needs the hotline's reference: the service says so, by field."""
    client = as_user(world.desk_staff)
    before = counts()
    html = client.post(CREATE, intake_data(world, client, source="hotline"), **EN).content.decode()
    assert errors_next_to(html, "hotline_reference") == ["This field is required."]
    assert 'id="more-options" open' in html
    assert counts() == before


def test_answered_on_the_spot(world, as_user):
    client = as_user(world.desk_staff)
    data = intake_data(world, client, category=world.subsidy.pk, answered="on", answer="带户口本到社区登记")
    client.post(CREATE, data)
    sr = ServiceRequest.objects.get()
    assert (sr.status, sr.outcome, sr.result) == ("closed", "answered_on_the_spot", "带户口本到社区登记")


def test_answered_on_the_spot_needs_the_answer(world, as_user):
    client = as_user(world.desk_staff)
    html = client.post(CREATE, intake_data(world, client, answered="on", answer=""), **EN).content.decode()
    assert errors_next_to(html, "answer") == ["Write down the answer given."]
    assert ServiceRequest.objects.count() == 0


def test_photos_from_the_phone_camera(world, as_user, media):
    client = as_user(world.desk_staff)
    data = intake_data(world, client, photos=[png("a.png"), png("b.png")])
    assert client.post(CREATE, data).status_code == 302
    sr = ServiceRequest.objects.get()
    assert [a.kind for a in Attachment.objects.filter(request=sr)] == ["before", "before"]
    assert (media / Attachment.objects.first().file.name).read_bytes() == PNG


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_field(world, as_user, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(world.desk_staff)
    letter = SimpleUploadedFile("letter.png", b"%PDF-1.4 not a photo", content_type="image/png")
    html = client.post(CREATE, intake_data(world, client, photos=[letter]), **EN).content.decode()
    assert errors_next_to(html, "photos") == ["letter.png is not a JPEG, PNG, WebP or HEIC photo."]
    assert ServiceRequest.objects.count() == 0 and Attachment.objects.count() == 0


def test_the_handler_is_prefilled_by_the_category_rule(world, as_user):
    """维修 goes to the grid worker of the resident's grid (rule *grid worker*)."""
    client = as_user(world.desk_staff)
    url = reverse("requests:intake_handler")
    query = {"community": world.binxi.pk, "category": world.repair.pk, "resident": world.wang.pk}
    html = client.get(url, query).content.decode()
    assert f'<option value="{world.grid_worker.pk}" selected>' in html
    html = client.get(url, {**query, "category": world.subsidy.pk}).content.decode()
    assert not re.search(r'<option value="\d+" selected>', html)  # 政策咨询: a supervisor assigns
    page = client.get(
        CREATE, {"community": world.binxi.pk, "category": world.repair.pk, "resident": world.wang.pk}
    )
    assert f'<option value="{world.grid_worker.pk}" selected>' in page.content.decode()
    client.post(CREATE, intake_data(world, client, category=world.repair.pk, handler=world.grid_worker.pk))
    sr = ServiceRequest.objects.get()
    assert (sr.status, sr.handler) == ("assigned", world.grid_worker)


def test_a_volunteer_sees_the_rule_but_cannot_choose_the_handler(world, as_user):
    client = as_user(world.volunteer)
    query = {"community": world.binxi.pk, "category": world.repair.pk, "resident": world.wang.pk}
    html = client.get(reverse("requests:intake_handler"), query).content.decode()
    assert 'name="handler"' not in html and 'id="rule-handler"' in html
    page = client.get(CREATE, query).content.decode()
    assert 'name="handler"' not in page and 'name="new_name"' not in page  # nor add residents
    data = intake_data(world, client, category=world.repair.pk, handler=world.desk_staff.pk)
    assert client.post(CREATE, data).status_code == 302
    assert ServiceRequest.objects.get().handler == world.grid_worker  # the rule, not the posted value


def test_a_grid_worker_logs_by_the_rule_too(world, as_user):
    """§4.1 assign row: only desk staff (at intake) and supervisors choose the handler."""
    client = as_user(world.grid_worker)
    query = {"community": world.binxi.pk, "category": world.repair.pk, "resident": world.wang.pk}
    page = client.get(CREATE, query).content.decode()
    assert 'name="handler"' not in page and 'id="rule-handler"' in page
    data = intake_data(world, client, category=world.repair.pk, handler=world.desk_staff.pk)
    assert client.post(CREATE, data).status_code == 302
    assert ServiceRequest.objects.get().handler == world.grid_worker


def test_desk_staff_who_empty_the_handler_leave_it_to_the_supervisors(world, as_user):
    client = as_user(world.desk_staff)
    query = {"community": world.binxi.pk, "category": world.repair.pk, "resident": world.wang.pk}
    box = client.get(reverse("requests:intake_handler"), query).content.decode()
    proposed = f'name="handler_proposed" value="{world.grid_worker.pk}"'
    assert proposed in box and proposed in client.get(CREATE, query).content.decode()
    # The box proposed the grid worker (the rule); the desk worker emptied it.
    data = intake_data(
        world, client, category=world.repair.pk, handler="", handler_proposed=world.grid_worker.pk
    )
    assert client.post(CREATE, data).status_code == 302
    sr = ServiceRequest.objects.get()
    assert (sr.status, sr.handler) == ("logged", None)


def test_a_handler_box_not_filled_in_yet_gets_the_rule(world, as_user):
    """On a slow connection the box may still be empty (nothing proposed) when Save is pressed:
    that is not a choice, so the category's rule names the handler."""
    client = as_user(world.desk_staff)
    for fields in ({"handler": "", "handler_proposed": ""}, {}):  # an empty box, or none posted at all
        data = intake_data(world, client, category=world.repair.pk, **fields)
        assert client.post(CREATE, data).status_code == 302
    assert list(ServiceRequest.objects.values_list("status", "handler")) == [
        ("assigned", world.grid_worker.pk),
        ("assigned", world.grid_worker.pk),
    ]


def test_who_may_not_log(world, session, as_user):
    assert as_user(world.administrator).get(CREATE).status_code == 403
    bob = as_user(world.outsider)
    for query in (
        {"session": session.pk},
        {"resident": world.wang.pk},
        {"community": world.binxi.pk},
    ):
        assert bob.get(CREATE, query).status_code == 404, query
    assert bob.get(reverse("requests:intake_handler"), {"community": world.binxi.pk}).status_code == 404
    data = intake_data(world, as_user(world.desk_staff))
    assert as_user(world.outsider).post(CREATE, data).status_code == 404
    assert ServiceRequest.objects.count() == 0


def test_a_member_of_two_communities_chooses_first(world, as_user):
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.desk_staff, community=world.bindong, role="volunteer")
    client = as_user(world.desk_staff)
    html = client.get(CREATE).content.decode()
    assert f"?community={world.binxi.pk}" in html and f"?community={world.bindong.pk}" in html
    assert 'name="idempotency_token"' not in html


@pytest.mark.parametrize("bad", ["abc", "999999", ""])
def test_nonsense_in_the_query_string_is_not_a_500(world, as_user, bad):
    client = as_user(world.desk_staff)
    response = client.get(CREATE, {"session": bad, "resident": bad, "community": bad, "category": bad})
    assert response.status_code in (200, 404)


def _our_queries(client, method: str, url: str, data=None, expect: int = 200) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data)
    assert response.status_code == expect, response.status_code
    # The session store (a cache table on SQLite, Redis in CI) and the cache are not counted.
    return [q["sql"] for q in queries.captured_queries if "_cache" not in q["sql"]]


def test_an_intake_post_issues_a_fixed_number_of_queries(world, as_user):
    """The login's user and the resident; then one transaction: BEGIN, the counter's upsert, four
    INSERTs (request, SMS outbox row, reminder step, timeline line), COMMIT. The token costs no
    query on the way in: its unique index checks it. A handler adds one, whether chosen in the box
    or named by the category's rule: that user. A box the desk worker emptied adds none.

    What every request re-reads comes from the cache (residents.versioned_cache): the user's
    memberships (a handler's too), the categories, the SMS template. With the database as the
    cache (the embedded default) each of them is a query again: four more, and one more inside."""
    from residents.versioned_cache import enabled

    cached = enabled()
    outside, inside, handler = (2, 7, 1) if cached else (4, 8, 2)
    client = as_user(world.desk_staff)
    # The year's calendar is read once per process; the handler's memberships once into the cache.
    client.post(CREATE, intake_data(world, client, category=world.repair.pk, handler=world.grid_worker.pk))
    emptied = {"handler": "", "handler_proposed": world.grid_worker.pk}
    for fields, expected in (
        (emptied, outside + inside),
        ({"handler": world.grid_worker.pk}, outside + handler + inside),
        ({}, outside + handler + inside),  # the rule's grid worker
        (emptied, outside + inside),
    ):
        data = intake_data(world, client, category=world.repair.pk, **fields)
        ours = _our_queries(client, "post", CREATE, data, expect=302)
        assert len(ours) == expected, ours


def test_the_intake_form_issues_a_fixed_number_of_queries(world, as_user):
    """The form: the login's user, the community, the inbox badge's count, the handler choices and
    the open desk sessions (each list one query, not a server-side cursor's three). The user's
    memberships, the categories and their handler rules come from the cache. With the database as
    the cache each is a query again: two more, and two more for a category chosen in the link (it
    and the rules). A resident or a session adds its own row."""
    from residents.versioned_cache import enabled

    cached = enabled()
    client = as_user(world.desk_staff)
    url = f"{CREATE}?community={world.binxi.pk}"
    with_category = f"{url}&category={world.repair.pk}"
    client.get(with_category)  # fills the cache
    assert len(_our_queries(client, "get", url)) == (5 if cached else 7)
    assert len(_our_queries(client, "get", with_category)) == (5 if cached else 9)
    assert len(_our_queries(client, "get", url)) == (5 if cached else 7)


def test_a_changed_membership_or_category_is_seen_at_once(world, as_user):
    """The cached memberships and categories are outdated by the change itself: a role taken away
    refuses the form at the next request, a category put out of use leaves it."""
    client = as_user(world.desk_staff)
    url = f"{CREATE}?community={world.binxi.pk}"
    assert f'value="{world.repair.pk}"' in client.get(url).content.decode()
    world.repair.is_active = False
    world.repair.save()
    assert f'id="category-{world.repair.pk}"' not in client.get(url).content.decode()
    world.desk_staff.memberships.update(role="administrator")  # a bulk update, no signal
    assert client.get(url).status_code == 403
    world.desk_staff.memberships.update(is_active=False)
    assert client.get(url).status_code == 404


def test_a_token_made_by_the_browser_is_a_uuid(world, as_user):
    """intake.js makes a UUID for each form it shows: accepted (stored in its canonical form),
    unique per submission like the server's; anything else that is no token of ours is refused."""
    client = as_user(world.desk_staff)
    data = intake_data(world, client)
    made = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"
    assert client.post(CREATE, {**data, "idempotency_token": made}, **EN).status_code == 302
    sr = ServiceRequest.objects.get(idempotency_token=made.lower())
    again = client.post(CREATE, {**data, "idempotency_token": made.lower()}, **EN)
    assert again.status_code == 302 and ServiceRequest.objects.count() == 1  # the same request
    other = "9b2f6d1c-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    assert client.post(CREATE, {**data, "idempotency_token": other}, **EN).status_code == 302
    assert ServiceRequest.objects.exclude(pk=sr.pk).get().idempotency_token == other
    refused = client.post(CREATE, {**data, "idempotency_token": "not a token!"}, **EN)
    assert refused.status_code == 200
    assert "This form is out of date" in refused.content.decode()
    assert ServiceRequest.objects.count() == 2


def test_the_form_marks_its_token_for_the_browser(world, as_user):
    """No JavaScript: the server's token is in the page; with it, intake.js replaces it."""
    html = as_user(world.desk_staff).get(f"{CREATE}?community={world.binxi.pk}").content.decode()
    assert re.search(r'name="idempotency_token" value="[A-Za-z0-9_-]{22}" data-client-token', html)


def test_a_new_residents_149_number_is_kept_with_a_warning(world, as_user):
    """phonenumbers calls 149… 'possible but not valid': kept, and the desk is told to check it."""
    client = as_user(world.desk_staff)
    data = intake_data(world, client, resident="", new_name="李秀英", new_phone="149 1234 5678")
    response = client.post(CREATE, data, **EN)
    assert response.status_code == 302
    assert Resident.objects.get(name="李秀英").phone == "+8614912345678"
    page = client.get(response["Location"], **EN).content.decode()
    assert "range is not in the phone-number data yet" in page


def test_a_token_with_a_nul_byte_is_refused_not_a_500(world, client):
    """A hostile hidden token never reaches the database (PostgreSQL refuses NUL in text)."""
    client.force_login(world.desk_staff)
    response = client.post(
        f"/requests/new/?community={world.binxi.pk}",
        {"community": world.binxi.pk, "idempotency_token": "a\x00b", "description": "x"},
    )
    assert response.status_code in (200, 302)
