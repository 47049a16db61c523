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
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "failed": []}


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
