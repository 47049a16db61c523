"""Sum every day of the dashboard's daily summary again (after a bulk load, or a change made outside
the services: a category moved under another heading, a session moved to another route)."""

import time

from django.core.management.base import BaseCommand

from requests.dashboard.summary import rebuild


class Command(BaseCommand):
    help = "Rebuild the dashboard's daily summary from the requests (every day up to yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--community", type=int, action="append", help="a community's id (repeatable)")

    def handle(self, *args, **options):
        started = time.perf_counter()
        done = rebuild(community_ids=options["community"])
        for community_id, days in sorted(done.items()):
            self.stdout.write(f"community {community_id}: {days} days summed")
        self.stdout.write(f"daily summary rebuilt in {time.perf_counter() - started:.1f}s")
