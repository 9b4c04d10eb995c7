import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdoor.core.periodic import ensure_scheduled
from frontdoor.core.startup import refuse_to_start_unless_ready

# Each queue has its own worker, so a PDF copy (seconds of CPU) never holds up a sign-in
# code or a team's notice on the default queue.
QUEUES = ("default", "pdf")


class Command(BaseCommand):
    help = (
        "Run the background task workers, with the portal's scheduled jobs queued: one for "
        "the default queue (emails, scheduled jobs) and one, in a second process, for PDF "
        "copies. --queue runs one of them only (at scale, run each as its own service)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", choices=QUEUES, help="Run only this queue's worker (default: both)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The worker checks uploads too: no scanner (nor VIRUS_SCAN=off), no start.
        try:
            refuse_to_start_unless_ready()
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from None
        queue = options["queue"]
        verbosity = options["verbosity"]
        if queue is not None:
            self._run(queue, verbosity)
            return
        others = [
            subprocess.Popen(  # noqa: S603 (our own command, no outside input)
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "worker",
                    "--queue",
                    name,
                    "--verbosity",
                    str(verbosity),
                ]
            )
            for name in QUEUES[1:]
        ]
        try:
            self._run(QUEUES[0], verbosity)
        finally:
            # Stopped (Ctrl-C, SIGTERM): the PDF worker finishes its task and stops too.
            for process in others:
                process.terminate()
            for process in others:
                process.wait()

    def _run(self, queue: str, verbosity: int) -> None:
        if queue == "default":
            queued = ensure_scheduled()
            if queued:
                self.stdout.write(f"Scheduled: {', '.join(queued)}")
        call_command("db_worker", "--no-reload", "--queue-name", queue, verbosity=verbosity)
