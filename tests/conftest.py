"""The test harness every issue builds on (DESIGN §8).

Real parts: the database and Redis named by DATABASE_URL / REDIS_URL, a real Celery worker
process, a live server, Debian's chromium through Playwright. Under CI=true a missing part fails
the test that needs it; elsewhere it skips.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.utils import translation

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BASE_DIR = Path(settings.BASE_DIR)


def require(part: str, available: bool, why: str) -> None:
    """Fail under CI, skip elsewhere, when a real part the test needs is missing."""
    if available:
        return
    message = f"{part} is missing: {why}"
    if CI:
        pytest.fail(f"CI=true needs {message}", pytrace=False)
    pytest.skip(message)


def subprocess_env(**overrides) -> dict[str, str]:
    """The environment for a child Django process, without what only this test process needs."""
    # A child runs the project's settings (config/settings.py), not the test run's; what it needs of
    # the run (the run id, the test database) the fixture that starts it passes explicitly.
    leave_out = {"PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DOORSTEP_RUN_ID"}
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database commits without waiting for the disk (synchronous_commit off, for this
    database only, so the workers and servers the tests start inherit it): a crash of the test
    machine loses nothing worth keeping, and on a busy 2-core machine the fsync per commit was the
    largest single cost of the suite. Everything else about PostgreSQL is as in production."""
    from django.db import connection

    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
            cursor.execute("SET synchronous_commit = off")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def pytest_report_header(config) -> list[str]:
    """Say which real parts this run uses, so a CI log shows PostgreSQL, Redis and Chromium."""
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = urlsplit(settings.CELERY_BROKER_URL).scheme or "?"
    browser = CHROMIUM if os.access(CHROMIUM, os.X_OK) else "missing"
    return [f"doorstep: database={database} broker={broker} chromium={browser} CI={CI}"]


@pytest.fixture(scope="session", autouse=True)
def _clean_run_folders():
    yield
    if not settings.REDIS_URL:
        shutil.rmtree(settings.CELERY_FILESYSTEM_DIR, ignore_errors=True)
    Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a test client request with another Accept-Language
    leaves its language active in this thread, and the next test (whichever file xdist gives this
    process next) would otherwise read English labels where it expects Chinese."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _cache_forgets_rolled_back_changes():
    """A test's changes are rolled back without a signal, but the versioned cache saw them (a
    category put out of use, a membership changed): outdate every cached entry after each test,
    or the next test would read the rolled-back state (as a deploy's migrate does, post_migrate)."""
    yield
    from residents.versioned_cache import outdate_all

    outdate_all()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Factories create many users; a million PBKDF2 rounds each would cost seconds per test and
    prove nothing here. Set once for the whole run (a test may still override it)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _empty_tables_by_delete():
    """After each transactional test pytest-django empties every table with one TRUNCATE, which
    on PostgreSQL replaces each table's and index's files: about three seconds a test on a busy
    machine, for tables holding a few rows. DELETE in one transaction empties them as surely
    (foreign keys are deferred to the commit; sequences are not reset, as with the TRUNCATE) in
    a fraction of that. A flush that resets sequences or cascades keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        deletes = [f"DELETE FROM {self.quote_name(table)};" for table in tables]
        return ["SET CONSTRAINTS ALL DEFERRED;", *deletes]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


# --- Celery worker --------------------------------------------------------------------------------


def _database_url_for_worker() -> str:
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """One real worker process for the session: concurrency 1, the test database, this run's queue."""
    from config.celery import ping

    # This run's queue and key prefix, the test database; DEBUG off as in the tests themselves.
    env = subprocess_env(
        DATABASE_URL=_database_url_for_worker(), DOORSTEP_RUN_ID=settings.RUN_ID, DEBUG="false"
    )
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency=1",
                f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
                f"--hostname={settings.RUN_ID}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(process, log_path)
    try:
        # Ready means it took a task off this run's queue and answered.
        answer = ping.delay().get(timeout=90)
        assert answer["pong"] is True, worker.log()
    except Exception:
        process.kill()
        pytest.fail(f"the Celery worker did not answer a ping:\n{worker.log()}", pytrace=False)
    yield worker
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# --- Browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    require("Debian's chromium", Path(CHROMIUM).exists(), "make test installs it (apt-get install chromium)")
    # The sync API keeps an event loop in this thread; the ORM calls tests make beside it are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A page as on a 360-px-wide phone, in Chinese."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def browser_login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state()


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"page is {width}px wide on a {viewport}px screen"


# --- Two communities: every view is checked against the other one ------------------------------


@pytest.fixture
def categories(db):
    """The data migration's categories, loaded again if a transactional test's flush removed them
    (which test ran before this one in its xdist process is not fixed)."""
    from importlib import import_module

    from django.apps import apps

    from requests.models import Category

    migration = import_module("requests.migrations.0003_categories")
    codes = [row[0] for row in migration.CATEGORIES]
    if Category.objects.filter(code__in=codes).count() < len(codes):  # one query when they are there
        migration.load(apps, None)  # historical models send no signals: tell the intake's cache
        from requests.selectors.intake import CATEGORIES
        from residents.versioned_cache import bump

        bump(CATEGORIES)


@pytest.fixture
def binxi(db):
    from tests.factories import CommunityFactory

    return CommunityFactory(name="滨西社区", code="BX")


@pytest.fixture
def bindong(db):
    from tests.factories import CommunityFactory

    return CommunityFactory(name="滨东社区", code="BD")


@pytest.fixture
def alice(binxi):
    """A supervisor of 滨西社区."""
    from tests.factories import member

    return member(binxi, "supervisor", username="alice", last_name="李", first_name="书记")


@pytest.fixture
def bob(bindong):
    """A supervisor of 滨东社区, who must see nothing of 滨西."""
    from tests.factories import member

    return member(bindong, "supervisor", username="bob", last_name="赵", first_name="主任")


@pytest.fixture
def outside_quiet_hours(settings):
    """Resident SMS wait out the quiet hours (21:00–08:00 by default, DESIGN §4.5). A test that sends
    with the real clock moves them to where the clock is not, or it would fail whenever CI runs in
    the evening (it did, at 21:10 in Beijing)."""
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.localtime() + timedelta(hours=3)
    settings.SMS_QUIET_START = (later.hour, later.minute)
    settings.SMS_QUIET_END = ((later.hour + 1) % 24, later.minute)


@pytest.fixture
def english(settings):
    """English pages and messages, for tests that read the English wording."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
