"""Real processes for the SMS fault tests: a private redis-server (stopped and started again on one
port), Celery workers on a queue of their own sending to the fake provider. Each test stops only
what it started."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from tests.conftest import BASE_DIR, _database_url_for_worker, free_port, require, subprocess_env, wait_for


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrivateRedis:
    def __init__(self, folder: Path):
        binary = shutil.which("redis-server")
        require("redis-server", binary is not None, "the fault tests start their own")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(lambda: redis_answers(self.port), timeout=10), "private redis-server did not start"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def private_redis(folder: Path):
    redis = PrivateRedis(folder)
    redis.start()
    try:
        yield redis
    finally:
        if redis.process and redis.process.poll() is None:
            redis.process.kill()
            redis.process.wait()


def sms_queue() -> str:
    return f"{settings.RUN_ID}-sms-{uuid.uuid4().hex[:6]}"


class SmsWorker:
    def __init__(self, *, broker_url: str, queue: str, provider, log_path: Path, concurrency: int = 1, **env):
        require("Redis", bool(settings.REDIS_URL), "the SMS worker tests use a Redis broker (REDIS_URL)")
        self.log_path = log_path
        defaults = {
            "DATABASE_URL": _database_url_for_worker(),
            "DOORSTEP_RUN_ID": settings.RUN_ID,
            "REDIS_URL": broker_url,
            "SMS_QUEUE": queue,
            "SMS_QUIET_START": "00:00",
            "SMS_QUIET_END": "00:00",
        }
        environment = subprocess_env(**{**defaults, **provider.settings(), **env})  # env may override
        environment["PYTEST_VERSION"] = os.environ.get("PYTEST_VERSION", "")
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    f"--concurrency={concurrency}",
                    f"--queues={queue}",
                    f"--hostname={queue}-{uuid.uuid4().hex[:4]}@%h",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: "kill the whole worker" kills only it
            )
        if not wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, timeout=90):
            self.stop()
            raise AssertionError(f"the SMS worker did not start:\n{self.log()}")
        assert self.process.poll() is None, self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pool_children(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        )
        return [int(pid) for pid in out.stdout.split()]

    def kill_pool_process(self) -> int:
        pid = self.pool_children()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_everything(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@contextmanager
def sms_worker(**kwargs):
    worker = SmsWorker(**kwargs)
    try:
        yield worker
    finally:
        worker.stop()


@contextmanager
def broker(url: str):
    """Point this process's publishes at `url` (a private redis, a black hole), then back."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.broker_write_url)
    app.conf.broker_url = app.conf.broker_write_url = url
    app._pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved
        app._pool = None


@contextmanager
def keyspace(run_id: str):
    """Publish from this process under another run's key prefix in Redis (where a worker and a
    beat started with DOORSTEP_RUN_ID=run_id listen), then back."""
    from config.celery import app

    saved = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**saved, "global_keyprefix": f"{run_id}:"}
    app._pool = None
    try:
        yield
    finally:
        app.conf.broker_transport_options = saved
        app._pool = None


@contextmanager
def beat(*, run_id: str, folder: Path, interval: float, **env):
    """A real `celery beat` sending the project's schedule every `interval` seconds to the default
    queue of `run_id` (a worker started with the same DOORSTEP_RUN_ID takes them). Stopped on exit."""
    require("Redis", bool(settings.REDIS_URL), "beat publishes to Redis (REDIS_URL)")
    environment = subprocess_env(
        **{
            "DATABASE_URL": _database_url_for_worker(),
            "DOORSTEP_RUN_ID": run_id,
            "SWEEP_INTERVAL_SECONDS": str(interval),
            **env,
        }
    )
    log_path = folder / "beat.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                f"--schedule={folder / 'beat-schedule'}",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def black_hole_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    return server


def settle(predicate, timeout: float):
    """Wait until `predicate()` holds; fail with what it last saw."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
