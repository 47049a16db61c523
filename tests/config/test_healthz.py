"""/healthz: database and broker reachability, 503 naming what failed, within 2 s when the broker hangs."""

import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import free_port, require, wait_for


def get_health(client):
    started = time.monotonic()
    response = client.get("/healthz")
    return response, time.monotonic() - started


@pytest.mark.django_db
def test_healthz_answers_ok_without_login_when_database_and_broker_answer(client):
    response, _ = get_health(client)
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "static": "ok", "failed": []}


@pytest.fixture
def black_hole():
    """A socket that accepts connections and never answers: a hung broker."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.mark.django_db
def test_healthz_names_a_hung_broker_within_two_seconds(client, settings, black_hole):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{black_hole}/0"
    response, elapsed = get_health(client)
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["database"] == "ok"
    assert elapsed < 2.0, f"took {elapsed:.2f}s"


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of our own on a spare port; the test may stop it, never the shared one."""
    binary = shutil.which("redis-server")
    require("redis-server", binary is not None, "the fault test starts its own")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )

    def answers():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    assert wait_for(answers, timeout=10), "private redis-server did not start"
    yield port, process
    process.kill()
    process.wait()


@pytest.mark.django_db
def test_healthz_turns_503_when_its_redis_broker_stops(client, settings, private_redis):
    port, process = private_redis
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    assert get_health(client)[0].status_code == 200

    process.terminate()
    process.wait(timeout=10)
    response, elapsed = get_health(client)
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert elapsed < 2.0


MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.mark.django_db
def test_healthz_names_a_missing_static_manifest_under_the_manifest_storage(client, settings, tmp_path):
    # Production's storage without collectstatic: every page would answer 500, so health says so.
    (tmp_path / "static").mkdir()
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = MANIFEST_STORAGE
    response, _ = get_health(client)
    assert response.status_code == 503
    assert response.json()["failed"] == ["static"]
    assert response.json()["static"] == "fail"


@pytest.mark.django_db
def test_healthz_is_ok_once_collectstatic_wrote_the_manifest(client, settings, tmp_path):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = MANIFEST_STORAGE
    # Every vendored file collects under the manifest storage (no missing .map it names).
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").exists()
    response, _ = get_health(client)
    assert response.status_code == 200, response.json()
    assert response.json()["static"] == "ok"
