"""The test run's settings (pytest-django's DJANGO_SETTINGS_MODULE): the project's, plus what only
tests need. config/settings.py has no test branches and no side effects.

Each run gets its own queue name and key prefix (DOORSTEP_RUN_ID), so two runs sharing one Redis
never take each other's messages; the worker fixture passes the same id to the worker it starts.
"""

import os
import uuid

os.environ.setdefault("DOORSTEP_RUN_ID", f"test-{uuid.uuid4().hex[:10]}")

from config.settings import *  # noqa: E402, F403

# Factories create many users; the real hasher would cost seconds per test and proves nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
