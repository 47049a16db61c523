"""An action's URL re-renders the request's page after a form error; a reload or the language
switch then GETs that URL: it must lead to the request's page, never a blank 405."""

import re
from html import unescape

from django.urls import reverse

from tests.requests.conftest import in_state
from tests.requests.views_support import EN, as_user

__all__ = ["as_user"]  # fixtures


def test_get_of_an_action_url_after_a_form_error_goes_to_the_request_page(world, as_user):
    sr = in_state(world, "logged")
    client = as_user(world.supervisor)
    url = reverse("requests:act", args=[sr.reference, "assign"])
    failed = client.post(url, {"assign-handler": ""}, **EN)  # no handler: the form comes back
    assert failed.status_code == 200
    html = failed.content.decode()
    assert 'data-action="assign" open' in html

    reloaded = client.get(url, **EN)  # the reload
    assert reloaded.status_code == 302
    assert reloaded["Location"] == reverse("requests:detail", args=[sr.reference])
    assert client.get(url, follow=True, **EN).status_code == 200

    # The language switch on that page posts `next`; where it leads must answer 200.
    match = re.search(r'class="m-0 language-switch">.*?name="next" value="([^"]*)"', html, re.S)
    assert match, "the page carries the language switch"
    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": unescape(match.group(1))})
    assert switched.status_code == 302
    landed = client.get(switched["Location"], follow=True)
    assert landed.status_code == 200 and sr.reference in landed.content.decode()
    assert landed.redirect_chain[-1][0] == reverse("requests:detail", args=[sr.reference])


def test_get_of_an_unknown_action_or_another_communitys_request_is_404(world, as_user):
    sr = in_state(world, "logged")
    assert (
        as_user(world.supervisor).get(reverse("requests:act", args=[sr.reference, "nope"])).status_code == 404
    )
    assert (
        as_user(world.outsider).get(reverse("requests:act", args=[sr.reference, "assign"])).status_code == 404
    )
