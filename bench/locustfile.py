"""100 simulated staff on a mixed workload, for locust (run by bench/bench_load.py from its own
virtual environment outside the project: PyPI's `requests`, which locust needs, would be shadowed
by our requests/ app inside it). Nothing here imports the project.

Each user logs in with a session cookie bench_load.py made (BENCH_LOAD_SESSIONS: a file of
`sessionid community_id resident_id category_id` lines, one per simulated person) and then, with
a think time of 5–15 s (100 people offer about 15 requests a second), searches requests and
residents, opens lists, My requests and the detail of a request it saw, logs requests at the
desk (the form, then its POST), and accepts and resolves what it was assigned. Every answer must
be what a browser expects (200, or 302 after a POST); anything else is an error.
"""

import itertools
import os
import random
import re
import threading
import uuid

from locust import HttpUser, between, task

with open(os.environ["BENCH_LOAD_SESSIONS"], encoding="utf-8") as _file:
    _lines = [line.split() for line in _file if line.strip()]
_next = itertools.count()
_lock = threading.Lock()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERENCE = re.compile(r'href="/requests/([A-Z]+-[0-9B]+-[0-9]+)/"')
SEARCHES = ("王", "wang", "李", "138", "居民1", "BXB-B-0000", "1234", "zhang")


class Staff(HttpUser):
    wait_time = between(5, 15)  # a person reads, types, talks to the resident between clicks

    def on_start(self):
        with _lock:
            session, community, resident, category = _lines[next(_next) % len(_lines)]
        self.client.cookies.set("sessionid", session)
        self.community, self.resident, self.category = community, resident, category
        self.references: list[str] = []
        self.csrf = ""

    def _get(self, url, name, **params):
        with self.client.get(url, params=params, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return ""
            text = response.text
            found = CSRF.search(text)
            if found:
                self.csrf = found.group(1)
            self.references = REFERENCE.findall(text)[:20] or self.references
            return text

    def _post(self, url, name, data, expect=(302,)):
        data = {**data, "csrfmiddlewaretoken": self.csrf}
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code}")
            self.client.cookies.pop("messages", None)

    @task(4)
    def search(self):
        self._get("/requests/", "list search", community=self.community, q=random.choice(SEARCHES))

    @task(2)
    def resident_search(self):
        self._get(
            "/residents/search/", "resident search", q=random.choice(SEARCHES), community=self.community
        )

    @task(4)
    def lists(self):
        self._get("/requests/", "request list", community=self.community)
        self._get("/requests/", "list filtered", community=self.community, status="in_progress")

    @task(3)
    def mine_and_detail(self):
        self._get("/requests/mine/", "my requests")
        if self.references:
            self._get(f"/requests/{random.choice(self.references)}/", "detail")

    @task(3)
    def intake(self):
        page = self._get("/requests/new/", "intake form", community=self.community)
        if not page:
            return
        self._post(
            "/requests/new/",
            "intake POST",
            {
                "idempotency_token": str(uuid.uuid4()),
                "community": self.community,
                "resident": self.resident,
                "category": self.category,
                "description": "负载测试：楼道灯不亮",
                "source": "desk",
                "handler": "",
                "handler_proposed": "",
            },
        )

    @task(2)
    def accept_and_resolve(self):
        page = self._get("/requests/mine/", "my requests")
        if not page or not self.references:
            return
        reference = random.choice(self.references)
        detail = self._get(f"/requests/{reference}/", "detail")
        if f"/requests/{reference}/act/accept/" in detail:
            self._post(f"/requests/{reference}/act/accept/", "accept", {}, expect=(302, 200))
        elif f"/requests/{reference}/act/resolve/" in detail:
            self._post(
                f"/requests/{reference}/act/resolve/",
                "resolve",
                {"result": "已处理（负载测试）"},
                expect=(302, 200),
            )
