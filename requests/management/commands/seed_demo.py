"""Demo data for `make run`: idempotent, and refused in production.

It lives in `requests`, the app that sits on top of the others (residents ← desks ← requests),
so it can fill every app; each app's part is a `demo.py` of its own.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from desks import demo as desks_demo
from requests import demo as requests_demo
from residents import demo as residents_demo
from residents.sms.services import publishing_paused


class Command(BaseCommand):
    help = "Load the demo community, its residents and one login per role (safe to run twice)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production (DOORSTEP_ENV=production).")
        translation.activate(settings.LANGUAGE_CODE)
        # The invented history's SMS are dropped at its end (requests/demo.py): publish none of them,
        # or the worker spends its first minutes on hundreds of tasks for rows that are gone.
        with transaction.atomic(), publishing_paused():
            logins = residents_demo.seed()
            desk_lines = desks_demo.seed()
            request_count = requests_demo.seed()  # after residents (and desks): it builds on them
        for line in desk_lines:
            self.stdout.write(line)
        if request_count:
            self.stdout.write(f"Demo requests of 滨西社区: {request_count}")
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo logins (username / password):"))
        for username, role in logins:
            self.stdout.write(f"  {username:<11} / {residents_demo.DEMO_PASSWORD}   {role}")
