from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from frontdoor.core.periodic import ensure_scheduled


class Command(BaseCommand):
    help = "Run the background task worker, with the portal's scheduled jobs queued."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = ensure_scheduled()
        if queued:
            self.stdout.write(f"Scheduled: {', '.join(queued)}")
        call_command("db_worker", "--no-reload", verbosity=options["verbosity"])
