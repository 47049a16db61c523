"""The test run's settings (pytest-django's DJANGO_SETTINGS_MODULE): the project's, plus what only
tests need. config/settings.py has no test branches and no side effects.

Each run (each xdist process) gets its own queue name and key prefix (DOORSTEP_RUN_ID), so two
runs sharing one Redis never take each other's messages; the worker fixture passes the same id
to the worker it starts.
"""

import os
import uuid

os.environ.setdefault("DOORSTEP_RUN_ID", f"test-{uuid.uuid4().hex[:10]}")
# `make test` runs the suite in two pytest-xdist processes: each is a run of its own (its own test
# database, which pytest-django suffixes, and its own queue, key prefix and broker folder).
if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ["DOORSTEP_RUN_ID"].endswith(
    os.environ["PYTEST_XDIST_WORKER"]
):
    os.environ["DOORSTEP_RUN_ID"] += f"-{os.environ['PYTEST_XDIST_WORKER']}"

from config.settings import *  # noqa: E402, F403

# Factories create many users; the real hasher would cost seconds per test and proves nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
