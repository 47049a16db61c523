"""Plan every route's sessions for the coming weeks (idempotent: run it from cron or by hand)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from desks.services import MAX_WEEKS, routes_generate_all


class Command(BaseCommand):
    help = "Create each active route's desk sessions for the coming weeks; safe to run any number of times."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=6, choices=range(1, MAX_WEEKS + 1), metavar="N")

    def handle(self, *args, weeks, **options):
        result = routes_generate_all(weeks=weeks, today=timezone.localdate())
        self.stdout.write(
            f"sessions: {result.created} created, {result.updated} updated, {result.removed} removed, "
            f"{result.left_alone} left alone"
        )
        if result.failed_routes:  # the others were planned; a non-zero exit tells cron to alert
            failed = ", ".join(map(str, result.failed_routes))
            raise CommandError(f"routes that failed (see the log): {failed}")
