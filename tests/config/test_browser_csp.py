"""The Content-Security-Policy: strict (everything from the project, nothing inline), and the main
pages break none of it in a real browser."""

import pytest
from django.urls import reverse

from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.url_walk_objects import OBJECT_URLS, PUBLIC_URLS, World

# The pages a desk worker, a supervisor and a resident open (and their htmx fragments load).
PAGES = [
    "home",
    "residents:list",
    "residents:create",
    "residents:detail",
    "residents:edit",
    "residents:access_log",
    "residents:roster_import",
    "desks:calendar",
    "desks:session_detail",
    "desks:session_serve",
    "desks:session_sheet",
    "desks:route_list",
    "desks:route_detail",
    "desks:stop_list",
    "requests:list",
    "requests:mine",
    "requests:create",
    "requests:detail",
    "requests:logged",
    "requests:receipt_print",
    "dashboard:index",
    "dashboard:report",
]


def test_the_policy_allows_only_the_project_itself(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def watch(page) -> list[str]:
    """Every CSP violation the page reports: on the console, and as securitypolicyviolation events."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        "  console.error('Refused (Content Security Policy): ' + e.violatedDirective + ' ' + e.blockedURI);"
        "});"
    )
    return seen


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_break_no_part_of_the_policy(live_server, phone_page, alice, bob, binxi, bindong):
    from importlib import import_module

    from django.apps import apps

    # The data migration's categories, loaded again if a transactional test's flush removed them.
    import_module("requests.migrations.0003_categories").load(apps, None)
    world = World.build(alice=alice, bob=bob, binxi=binxi, bindong=bindong)
    violations = watch(phone_page)

    phone_page.goto(f"{live_server.url}{reverse('login')}")
    browser_login(phone_page, live_server, "alice", PASSWORD)
    visited = []
    for name in PAGES:
        kwargs = OBJECT_URLS[name](world) if name in OBJECT_URLS else {}
        url = f"{live_server.url}{reverse(name, kwargs=kwargs)}"
        response = phone_page.goto(url)
        phone_page.wait_for_load_state("networkidle")  # htmx fragments too
        assert response.status == 200, (name, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], name
        visited.append(name)
    public = "request_status:page"
    phone_page.goto(f"{live_server.url}{reverse(public, kwargs=PUBLIC_URLS[public](world))}")
    phone_page.wait_for_load_state("networkidle")

    assert violations == [], violations
    assert len(visited) == len(PAGES)

    # The watch works: an inline style added now is refused and reported.
    with phone_page.expect_console_message(lambda message: "style-src" in message.text):
        phone_page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body{color:red}</style>')")
    assert any("style-src" in text for text in violations), violations
