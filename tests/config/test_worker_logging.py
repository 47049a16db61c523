"""The worker and beat log through the mask too (DESIGN §6): celery replaces the handlers Django set up."""

import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from config.celery import app
from tests.conftest import BASE_DIR, subprocess_env, wait_for

PHONE = "13912345678"
MASKED = "139****5678"


@pytest.fixture
def logging_worker(tmp_path):
    """A worker of its own on a queue of its own, with the task that logs a phone."""
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-logs-{uuid.uuid4().hex[:6]}"
    env = subprocess_env(DOORSTEP_RUN_ID=settings.RUN_ID)
    log_path = tmp_path / "worker.log"
    with open(log_path, "ab") as log:  # appending: the pool and its parent share the file
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config", "worker"),
                "--include=tests.config.phone_logging_task",
                f"--queues={queue}",
                f"--hostname={queue}@%h",
                *("--concurrency=1", "--without-mingle", "--without-gossip", "--without-heartbeat"),
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield queue, lambda: log_path.read_text(errors="replace")
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.worker
def test_a_phone_a_task_logs_reaches_the_worker_log_masked(logging_worker):
    queue, worker_log = logging_worker

    app.send_task("tests.log_a_phone", args=[PHONE], queue=queue)

    assert wait_for(lambda: "succeeded" in worker_log(), timeout=90, interval=0.2), worker_log()
    log = worker_log()
    # make run's users still see each task arrive and finish, at INFO.
    assert "INFO/MainProcess] Task tests.log_a_phone[" in log and "] received" in log, log
    for how in ("task logger: sms to", "module logger: sms to", "print: sms to", "succeeded in"):
        line = next((line for line in log.splitlines() if how in line), "")
        assert MASKED in line, f"{how!r} line: {line!r}"
    assert PHONE not in log


def test_beat_logs_through_the_mask():
    """`celery beat` in a child process up to where it starts the scheduler: Django, then logging."""
    script = f"""
import logging
from celery.apps.beat import Beat
from config.celery import app

beat = Beat(app=app, loglevel="INFO", quiet=True)
beat.init_loader()  # django.setup(), with the settings' LOGGING
beat.setup_logging()  # celery's handlers replace Django's on the root logger
logging.getLogger("celery.beat").info("beat: sms to {PHONE}")
logging.getLogger("django.request").warning("django: sms to {PHONE}")
print("print: sms to {PHONE}")  # beat turns stdout into log lines
"""
    env = subprocess_env(DOORSTEP_RUN_ID=settings.RUN_ID)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    for how in ("beat", "django", "print"):
        assert f"{how}: sms to {MASKED}" in done.stderr, done.stderr
    assert PHONE not in done.stderr + done.stdout
