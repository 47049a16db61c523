"""The receipt (回执) and the pickup code (提取码), DESIGN §4.5: a request without a phone gets a
4-digit code, stored hashed and shown once on the receipt; the receipt shows the status link as a
QR code and prints in three sizes; the status page opens with the code as with the last 4 digits
of a phone, and shows the result written for the resident at resolve."""

import re
import time
import uuid

import pytest
import segno
from django.test import Client
from django.urls import reverse

from requests import pickup, public
from requests.errors import NotAllowed, TransitionError
from requests.models import RequestEvent, ServiceRequest
from requests.qr import qr_svg
from requests.services import request_new_pickup_code, request_reopen, request_resolve, request_review
from tests.factories import ResidentFactory
from tests.requests.conftest import in_state, logged
from tests.requests.test_public_status import page, post_digits, without_csrf
from tests.requests.views_support import EN, as_user, db_cache, intake_data, session

__all__ = ["as_user", "db_cache", "session"]  # fixtures


@pytest.fixture(autouse=True)
def fresh_counters(db_cache, monkeypatch):
    """Each test counts attempts in keys of its own (the cache may be a Redis shared by the run)."""
    monkeypatch.setattr(public, "KEY_SALT", f"test-{uuid.uuid4().hex}")


def anonymous(world, **overrides):
    return logged(world, resident=None, description="小区门口路灯坏了", **overrides)


# --- The code: made for a request without a phone, stored hashed ---------------------------------


def test_an_anonymous_request_gets_a_pickup_code_stored_hashed(world):
    sr = anonymous(world)
    assert re.fullmatch(r"\d{4}", sr.pickup_code)
    stored = ServiceRequest.objects.get(pk=sr.pk).pickup_code_hash
    assert re.fullmatch(r"[0-9a-f]{64}", stored) and sr.pickup_code not in stored
    # not a plain hash anyone could reverse from a copy of the database: keyed with SECRET_KEY
    import hashlib

    for plain in (sr.pickup_code, f"{sr.reference}:{sr.pickup_code}"):
        assert stored != hashlib.sha256(plain.encode()).hexdigest()
    assert pickup.code_matches(sr, sr.pickup_code)
    wrong = f"{(int(sr.pickup_code) + 1) % 10000:04d}"
    assert not pickup.code_matches(sr, wrong)
    # the code of one request opens no other
    other = anonymous(world)
    assert not pickup.code_matches(other, sr.pickup_code) or other.pickup_code == sr.pickup_code


def test_a_code_survives_a_key_rotation_with_the_old_key_as_fallback(world, settings):
    sr = anonymous(world)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-after-rotation-0123456789-abcdefghij"
    assert not pickup.code_matches(sr, sr.pickup_code)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert pickup.code_matches(sr, sr.pickup_code)


def test_a_resident_with_a_phone_gets_no_code_and_one_without_does(world):
    with_phone = logged(world)
    assert with_phone.pickup_code == "" and with_phone.pickup_code_hash == ""
    no_phone = ResidentFactory(community=world.binxi, grid=world.grid, phone="", name="刘大爷")
    sr = logged(world, resident=no_phone)
    assert re.fullmatch(r"\d{4}", sr.pickup_code) and pickup.code_matches(sr, sr.pickup_code)


def test_a_new_code_replaces_the_old_one(world):
    sr = anonymous(world)
    old = sr.pickup_code
    sr, new = request_new_pickup_code(actor=world.volunteer, request_id=sr.pk)
    sr.refresh_from_db()
    assert pickup.code_matches(sr, new)
    assert old == new or not pickup.code_matches(sr, old)
    event = RequestEvent.objects.filter(request=sr).last()
    assert (event.action, event.actor, event.public) == ("new_pickup_code", world.volunteer, False)


def test_a_new_code_is_refused_for_a_request_with_a_phone_and_to_outsiders(world):
    sr = logged(world)
    with pytest.raises(TransitionError):
        request_new_pickup_code(actor=world.desk_staff, request_id=sr.pk)
    anon = anonymous(world)
    before = ServiceRequest.objects.get(pk=anon.pk).pickup_code_hash
    with pytest.raises(NotAllowed):
        request_new_pickup_code(actor=world.outsider, request_id=anon.pk)
    assert ServiceRequest.objects.get(pk=anon.pk).pickup_code_hash == before
    assert not RequestEvent.objects.filter(request=anon, action="new_pickup_code").exists()


# --- The status page with the code ------------------------------------------------------------


def test_the_pickup_code_opens_the_status_page(world):
    sr = anonymous(world)
    response = post_digits(Client(enforce_csrf_checks=True), sr.reference, sr.pickup_code)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="public-status"' in html
    assert "小区门口路灯坏了" not in html and sr.pickup_code not in html


def test_a_wrong_code_answers_exactly_like_wrong_digits_and_an_unknown_reference(world):
    sr = anonymous(world)
    wrong_code = f"{(int(sr.pickup_code) + 1) % 10000:04d}"
    with_phone = logged(world, description="别的")
    wrong = post_digits(Client(), sr.reference, wrong_code)
    wrong_digits = post_digits(Client(), with_phone.reference, "1111")
    unknown_reference = sr.reference[:-6] + "099999"
    unknown = post_digits(Client(), unknown_reference, wrong_code)
    assert wrong.status_code == wrong_digits.status_code == unknown.status_code == 200
    html = without_csrf(wrong.content.decode())
    assert html == without_csrf(wrong_digits.content.decode()).replace(with_phone.reference, sr.reference)
    assert html == without_csrf(unknown.content.decode()).replace(unknown_reference, sr.reference)
    assert 'id="public-status"' not in html


def test_pickup_code_attempts_share_the_digits_rate_limit(world, settings):
    settings.STATUS_PAGE_ATTEMPTS_PER_REFERENCE = 3
    sr = anonymous(world)
    wrong_code = f"{(int(sr.pickup_code) + 1) % 10000:04d}"
    for n in range(3):
        assert post_digits(Client(REMOTE_ADDR=f"10.1.0.{n}"), sr.reference, wrong_code).status_code == 200
    blocked = post_digits(Client(REMOTE_ADDR="10.1.0.9"), sr.reference, sr.pickup_code, **EN)
    assert blocked.status_code == 429 and 'id="public-status"' not in blocked.content.decode()
    assert "Too many attempts" in blocked.content.decode()
    # the receipt's QR link (the token) still opens it
    html = Client().get(f"{page(sr)}?t={public.status_token(sr.reference)}").content.decode()
    assert 'id="public-status"' in html


def test_a_code_does_not_open_a_request_with_a_phone(world):
    """A request with a phone has no code: the 4 digits are the phone's, nothing else."""
    sr = logged(world)
    assert sr.pickup_code_hash == ""
    for digits in ("0000", "1234"):
        assert not pickup.code_matches(sr, digits)


# --- The result written for the resident ----------------------------------------------------------


def status_html(sr) -> str:
    return Client().get(f"{page(sr)}?t={public.status_token(sr.reference)}", **EN).content.decode()


def test_the_status_page_shows_the_result_written_for_the_resident(world):
    sr = in_state(world, "in_progress")
    request_resolve(
        actor=world.handler,
        request_id=sr.pk,
        result="物业电工张师傅换灯泡，王玉枝家门口",
        resident_result="楼道灯已修好，请您查看。",
    )
    html = status_html(sr)
    assert re.search(r'id="public-result">楼道灯已修好，请您查看。<', html)
    assert "张师傅" not in html and "王玉枝" not in html
    assert "resolved at" in html


def test_no_result_is_shown_when_none_was_written(world):
    sr = in_state(world, "resolved")  # resolved with a staff result only
    html = status_html(sr)
    assert 'id="public-result"' not in html and "已更换灯泡" not in html


def test_the_result_is_not_shown_while_the_request_is_worked_on_again(world):
    sr = in_state(world, "resolved", review=True)
    ServiceRequest.objects.filter(pk=sr.pk).update(resident_result="已修好")
    assert 'id="public-result"' in status_html(sr)
    request_review(actor=world.supervisor, request_id=sr.pk, reopen=True, reason="居民说灯还是不亮")
    assert 'id="public-result"' not in status_html(sr)


def test_the_resolve_form_saves_the_result_for_the_resident(world, as_user):
    sr = in_state(world, "in_progress")
    client = as_user(world.handler)
    url = reverse("requests:act", args=[sr.reference, "resolve"])
    response = client.post(url, {"resolve-result": "换了灯泡", "resolve-resident_result": "灯已修好"})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert (sr.status, sr.result, sr.resident_result) == ("resolved", "换了灯泡", "灯已修好")
    detail = client.get(reverse("requests:detail", args=[sr.reference])).content.decode()
    assert 'id="resident-result">灯已修好<' in detail


def test_a_too_long_result_for_the_resident_is_an_error_next_to_the_field(world, as_user):
    sr = in_state(world, "in_progress")
    client = as_user(world.handler)
    url = reverse("requests:act", args=[sr.reference, "resolve"])
    response = client.post(url, {"resolve-result": "换了灯泡", "resolve-resident_result": "好" * 1001}, **EN)
    assert response.status_code == 200
    assert "resolve-resident_result" in response.content.decode()
    sr.refresh_from_db()
    assert sr.status == "in_progress"


def test_reopen_keeps_the_request_open_without_the_old_result(world):
    sr = in_state(world, "closed")
    ServiceRequest.objects.filter(pk=sr.pk).update(resident_result="已修好")
    request_reopen(actor=world.supervisor, request_id=sr.pk, reason="又坏了")
    assert 'id="public-result"' not in status_html(sr)


# --- The receipt at intake ----------------------------------------------------------------------


def log_anonymous(world, client, **fields) -> ServiceRequest:
    data = intake_data(world, client, resident="", anonymous="on", description="小区门口路灯坏了", **fields)
    response = client.post(reverse("requests:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ServiceRequest.objects.get(idempotency_token=data["idempotency_token"])


def code_on(html: str) -> str | None:
    match = re.search(r'id="pickup-code">(\d{4})<', html)
    return match.group(1) if match else None


def test_intake_shows_the_qr_code_and_the_pickup_code_once(world, as_user, settings):
    settings.PUBLIC_BASE_URL = "https://doorstep.example.cn"
    client = as_user(world.desk_staff)
    sr = log_anonymous(world, client)
    logged_url = reverse("requests:logged", args=[sr.reference])
    html = client.get(logged_url).content.decode()
    code = code_on(html)
    assert code and pickup.code_matches(sr, code)
    link = public.status_link(sr)
    assert link.startswith("https://doorstep.example.cn/s/") and f'href="{link}"' in html
    assert str(qr_svg(link)) in html  # the QR code is of the tokenised link
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither
    # the same staff member may reload the receipt within the hour; nobody else sees the code
    assert code_on(client.get(logged_url).content.decode()) == code
    colleague = Client()
    colleague.force_login(world.supervisor)
    other_html = colleague.get(logged_url).content.decode()
    assert code_on(other_html) is None and 'id="pickup-code-gone"' in other_html


def test_the_code_is_gone_after_the_hour_and_a_new_one_can_be_issued(world, as_user, monkeypatch):
    client = as_user(world.desk_staff)
    sr = log_anonymous(world, client)
    logged_url = reverse("requests:logged", args=[sr.reference])
    first = code_on(client.get(logged_url).content.decode())
    later = time.time() + pickup.SHOW_SECONDS + 1
    monkeypatch.setattr(pickup.time, "time", lambda: later)
    html = client.get(logged_url).content.decode()
    assert code_on(html) is None and 'id="new-pickup-code"' in html
    response = client.post(reverse("requests:new_pickup_code", args=[sr.reference]))
    assert response.status_code == 302 and response["Location"] == logged_url
    new = code_on(client.get(logged_url).content.decode())
    sr.refresh_from_db()
    assert new and pickup.code_matches(sr, new)
    assert first == new or not pickup.code_matches(sr, first)


def test_a_request_with_a_phone_has_a_receipt_without_a_code(world, as_user):
    client = as_user(world.desk_staff)
    sr = logged(world)
    html = client.get(reverse("requests:logged", args=[sr.reference])).content.decode()
    assert 'id="receipt-qr"' in html and code_on(html) is None
    assert 'id="pickup-code-gone"' not in html and 'id="new-pickup-code"' not in html
    response = client.post(reverse("requests:new_pickup_code", args=[sr.reference]))
    assert response.status_code == 302
    assert ServiceRequest.objects.get(pk=sr.pk).pickup_code_hash == ""


def test_the_qr_code_is_segnos_drawing_of_the_link():
    link = "https://doorstep.example.cn/s/BX-2026-000001/?t=abcdefghijklmnopqrstuv"
    svg = str(qr_svg(link))
    assert svg.startswith('<svg viewBox="0 0 ') and 'class="qr-code"' in svg and "style" not in svg
    expected = segno.make(link, error="m", micro=False)
    assert f'viewBox="0 0 {expected.symbol_size(scale=1, border=4)[0]} ' in svg
    assert svg == expected.svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000", light="#fff"
    )


# --- Print views --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["slip", "a6", "a4"])
def test_the_receipt_prints_in_each_size(world, as_user, size):
    client = as_user(world.desk_staff)
    sr = log_anonymous(world, client)
    response = client.get(reverse("requests:receipt_print", args=[sr.reference, size]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'class="receipt-page receipt-page--{size}"' in html and "css/receipt" in html
    assert code_on(html) and 'id="receipt-qr"' in html and sr.reference in html
    assert "data-print" in html and "style=" not in html
    assert "no-store" in response["Cache-Control"]  # the code is not kept by caches


def test_an_unknown_print_size_is_404(world, as_user):
    sr = logged(world)
    client = as_user(world.desk_staff)
    assert client.get(reverse("requests:receipt_print", args=[sr.reference, "letter"])).status_code == 404


def test_another_communitys_user_gets_404_on_the_receipt_pages(world, as_user):
    sr = anonymous(world)
    before = ServiceRequest.objects.get(pk=sr.pk).pickup_code_hash
    client = as_user(world.outsider)
    for url in (
        reverse("requests:logged", args=[sr.reference]),
        *(reverse("requests:receipt_print", args=[sr.reference, size]) for size in ("slip", "a6", "a4")),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("requests:new_pickup_code", args=[sr.reference])).status_code == 404
    assert ServiceRequest.objects.get(pk=sr.pk).pickup_code_hash == before


def test_the_receipt_names_no_category_with_sms_off(world, as_user):
    sr = logged(world)
    sr.category.sms_enabled = False
    sr.category.save(update_fields=["sms_enabled"])
    client = as_user(world.desk_staff)
    html = client.get(reverse("requests:receipt_print", args=[sr.reference, "a6"])).content.decode()
    receipt = html.split('id="receipt"')[1]
    assert str(sr.category.label) not in receipt


def test_the_office_phone_is_printed(world, as_user):
    world.binxi.office_phone = "0395-1234567"
    world.binxi.save(update_fields=["office_phone"])
    sr = logged(world)
    client = as_user(world.desk_staff)
    html = client.get(reverse("requests:receipt_print", args=[sr.reference, "slip"])).content.decode()
    assert "0395-1234567" in html


# --- The session's printable sheet ---------------------------------------------------------------


def test_the_session_sheet_lists_the_sessions_requests_with_their_references(world, as_user, session):
    first = logged(world, desk_session=session)
    second = anonymous(world, desk_session=session)
    elsewhere = logged(world, description="别处")
    client = as_user(world.desk_staff)
    sheet = client.get(reverse("desks:session_sheet", args=[session.pk])).content.decode()
    fragment_url = reverse("requests:session_sheet_requests", args=[session.pk])
    assert f'hx-get="{fragment_url}"' in sheet
    html = client.get(fragment_url).content.decode()
    assert html.index(first.reference) < html.index(second.reference)
    assert elsewhere.reference not in html and "王玉枝" in html
    assert second.pickup_code_hash not in html
    assert as_user(world.outsider).get(fragment_url).status_code == 404
