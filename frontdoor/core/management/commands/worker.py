from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from frontdoor.core.periodic import ensure_scheduled
from frontdoor.core.startup import refuse_to_start_unless_ready


class Command(BaseCommand):
    help = "Run the background task worker, with the portal's scheduled jobs queued."

    def handle(self, *args: Any, **options: Any) -> None:
        # The worker checks uploads too: no scanner (nor VIRUS_SCAN=off), no start.
        try:
            refuse_to_start_unless_ready()
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from None
        queued = ensure_scheduled()
        if queued:
            self.stdout.write(f"Scheduled: {', '.join(queued)}")
        call_command("db_worker", "--no-reload", verbosity=options["verbosity"])
