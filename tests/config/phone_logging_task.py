"""A task that logs a phone every way a task can, for test_worker_logging.py.

Not a test module: the worker that test starts imports it with --include.
"""

import logging

from celery import shared_task
from celery.utils.log import get_task_logger


@shared_task(name="tests.log_a_phone")
def log_a_phone(phone: str) -> str:
    get_task_logger(__name__).warning("task logger: sms to %s", phone)
    logging.getLogger("residents.sms").warning("module logger: sms to %s", phone)
    print(f"print: sms to {phone}")  # the worker turns a task's stdout into log lines
    return f"sent to {phone}"  # celery logs the return value with "succeeded"
