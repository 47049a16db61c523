"""Submit every form of every page with hostile values (DESIGN §8) and fail on any 500.

The pages are those of the URL walk (tests/test_url_walk.py: every URL pattern, objects from
tests/url_walk_objects.py). Each page is opened as a user of one role; every <form> on it (GET
filters and POST forms alike, htmx ones included) is filled as a browser would (its own values, a
plausible value in each empty box) and then sent once per hostile value per field: dates off the
calendar, numbers past 64 bits, NaN, unknown choices, 20,000 characters, NUL bytes. Every page is
also opened with hostile values in the query-string parameters views read directly. A user of the
other community sends 滨西's forms to 滨西's URLs: a 404, never a 500.
"""

import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.factories import member
from tests.test_url_walk import ALL_URLS
from tests.url_walk_objects import OBJECT_URLS, PUBLIC_URLS, World

# Logging out ends the walk's session; nothing else is left out.
SKIPPED_URLS = {"logout"}

HUGE = "99999999999999999999"
LONG_TEXT = "长" * 20_000
NUL = "a\x00b"
# Per field kind (one field at a time); an unknown choice is a huge number too.
HOSTILE = {
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "time": ["25:61"],
    "number": [HUGE, "NaN"],
    "choice": [HUGE],
    "text": [LONG_TEXT, NUL],
    "hidden": [HUGE, "0001-01-01", NUL],
    "checkbox": [],
}
# Query-string parameters views read without a form of their own: every page is opened with all
# of them at once, once per row (ids, dates, words).
ID_PARAMS = ("community", "page", "session", "resident", "category", "handler", "grid")
DATE_PARAMS = ("week", "date", "date_from", "date_to")
WORD_PARAMS = ("status", "source", "q", "browse", "pick", "flags", "action")
QUERY_ROWS = [
    (HUGE, "9999-12-31", LONG_TEXT),
    ("-" + HUGE, "0001-01-01", NUL),
    ("NaN", "NaN", HUGE),
]


@dataclass
class Form:
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name -> kind
    values: dict = field(default_factory=dict)  # name -> [values] a browser would send
    options: dict = field(default_factory=dict)  # name -> first non-empty option


class FormParser(HTMLParser):
    """The forms of a page: each field's kind and what a browser would send for it."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("hx-post") or a.get("hx-get") or a.get("action") or self.page_url
            method = "post" if a.get("hx-post") else "get" if a.get("hx-get") else a.get("method") or "get"
            self.form = Form(method=method.lower(), action=urljoin(self.page_url, action))
            self.forms.append(self.form)
            return
        if self.form is None or not a.get("name") or "disabled" in a:
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "reset", "image"} or name == "csrfmiddlewaretoken":
                return
            if kind in {"radio"}:
                self.form.fields[name] = "choice"
                self.form.options.setdefault(name, a.get("value", ""))
                if "checked" in a:
                    self.form.values[name] = [a.get("value", "on")]
                return
            if kind == "checkbox":
                self.form.fields.setdefault(name, "checkbox")
                if "checked" in a:
                    self.form.values.setdefault(name, []).append(a.get("value", "on"))
                return
            self.form.fields[name] = kind if kind in HOSTILE else "hidden" if kind == "hidden" else "text"
            if a.get("value"):
                self.form.values[name] = [a["value"]]
        elif tag == "select":
            self.form.fields[name] = "choice"
            self.select = name
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if value and self.select not in self.form.options:
                self.form.options[self.select] = value
            if "selected" in a:
                self.form.values[self.select] = [value]
        elif tag == "textarea":
            self.form.fields[name] = "text"
            self.textarea = name

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.form is not None and self.textarea and data.strip():
            self.form.values[self.textarea] = [data.strip()]


def plausible(form: Form) -> dict:
    """What a user would send: the page's values, and something sensible in each empty box."""
    today = dt.date.today()
    data = {name: list(values) for name, values in form.values.items()}
    for name, kind in form.fields.items():
        if name in data or kind in {"checkbox", "hidden"}:
            continue
        if kind == "choice":
            if name in form.options:
                data[name] = [form.options[name]]
        elif kind == "date":
            data[name] = [today.isoformat()]
        elif kind == "datetime-local":
            data[name] = [f"{today.isoformat()}T10:00"]
        elif kind == "time":
            data[name] = ["10:00"]
        elif kind == "number":
            data[name] = ["1"]
        else:
            data[name] = ["测试"]
    return data


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return [form for form in parser.forms if form.fields or form.method == "post"]


def is_ours(url: str) -> bool:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return False
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    return not (match.namespace == "admin" or match.url_name in SKIPPED_URLS)


@dataclass
class Walk:
    """Sends requests and keeps what answered 500 and what was covered."""

    failures: list = field(default_factory=list)
    patterns: dict = field(default_factory=dict)  # role -> URL names opened
    forms: dict = field(default_factory=dict)  # role -> forms sent
    fuzzed: set = field(default_factory=set)  # forms already sent field by field (by any role)
    sent: int = 0

    def send(self, client: Client, method: str, url: str, data: dict, *, what: str):
        self.sent += 1
        response = getattr(client, method)(url, data)
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            self.failures.append(
                f"{method.upper()} {url} {what}: {response.status_code} {error and error[1]!r}"
            )
        return response

    def fuzz_form(self, client: Client, form: Form, *, role: str, label: str):
        """Field by field the first time any role sends this form; all fields at once after that
        (another role's page shows the same form: its view still checks the role)."""
        if not is_ours(form.action):
            return
        key = (form.method, urlsplit(form.action).path, tuple(sorted(form.fields)))
        self.forms.setdefault(role, set()).add((label, *key))
        base = plausible(form)
        if key in self.fuzzed:
            for row in range(2):
                hostile = {
                    name: HOSTILE[kind][row % len(HOSTILE[kind])]
                    for name, kind in form.fields.items()
                    if HOSTILE[kind]
                }
                self.send(client, form.method, form.action, base | hostile, what=f"(all fields, row {row})")
            return
        self.fuzzed.add(key)
        self.send(client, form.method, form.action, base, what="(plausible values)")
        for name, kind in form.fields.items():
            for value in HOSTILE[kind]:
                self.send(
                    client, form.method, form.action, base | {name: [value]}, what=f"{name}={value[:20]!r}"
                )

    def open_page(self, client: Client, url: str, *, role: str, name: str, first: bool):
        """The page, and the page with hostile query parameters (every row the first time)."""
        self.patterns.setdefault(role, set()).add(name)
        page = client.get(url)
        if page.status_code >= 500:
            self.failures.append(f"GET {url} as {role}: {page.status_code}")
            return None
        for number, day, word in QUERY_ROWS if first else QUERY_ROWS[:1]:
            query = dict.fromkeys(ID_PARAMS, number) | dict.fromkeys(DATE_PARAMS, day)
            self.send(
                client, "get", url, query | dict.fromkeys(WORD_PARAMS, word), what=f"query {number}, {day}"
            )
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            return None
        return page


def url_of(name: str, params, world: World) -> str:
    if params and name in PUBLIC_URLS:
        return reverse(name, kwargs=PUBLIC_URLS[name](world))
    if params:
        return reverse(name, kwargs=OBJECT_URLS[name](world))
    return reverse(name)


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is recorded, not raised
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_no_form_answers_500_to_hostile_values(alice, bob, binxi, bindong, categories, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = World.build(alice=alice, bob=bob, binxi=binxi, bindong=bindong)
    roles = {  # 滨西's, each with the health permission where the role may have it; then 滨东's
        "supervisor": alice,
        "desk staff": member(binxi, "desk_staff", username="walk-desk", health_permission=True),
        "grid worker": member(binxi, "grid_worker", username="walk-grid"),
        "volunteer": member(binxi, "volunteer", username="walk-volunteer", health_permission=True),
        "administrator": member(binxi, "administrator", username="walk-admin"),
        "supervisor of 滨东": bob,
    }
    walk = Walk()
    opened = set()
    for role, user in roles.items():
        client = client_of(user)
        for name, params in ALL_URLS:
            if name in SKIPPED_URLS:
                continue
            url = url_of(name, params, world)
            page = walk.open_page(client, url, role=role, name=name, first=name not in opened)
            opened.add(name)
            if page is None:
                continue
            for form in forms_of(page.content.decode(errors="replace"), f"http://testserver{url}"):
                walk.fuzz_form(client, form, role=role, label=name)
    # 滨东's supervisor sends 滨西's forms (as alice saw them) to 滨西's URLs: 404, never 500.
    alice_client, bob_client = client_of(alice), client_of(bob)
    for name, params in ALL_URLS:
        if not params or name in PUBLIC_URLS:
            continue
        page = alice_client.get(url_of(name, params, world))
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        url = page.wsgi_request.build_absolute_uri()
        for form in forms_of(page.content.decode(errors="replace"), url):
            walk.fuzz_form(bob_client, form, role="supervisor of 滨东", label=name)
    for role in roles:
        print(
            f"forms walk as {role}: {len(walk.patterns.get(role, ()))} URL patterns, "
            f"{len(walk.forms.get(role, ()))} forms"
        )
    every = set().union(*walk.forms.values())
    print(
        f"forms walk: {len(opened)} URL patterns, {len(every)} distinct forms, {walk.sent} hostile requests"
    )
    assert walk.failures == [], "\n".join(walk.failures[:40])
