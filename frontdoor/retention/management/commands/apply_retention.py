from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontdoor.retention.services import apply_retention


class Command(BaseCommand):
    help = (
        "Remove the referrals due under retention (leaving their tombstones) and the audit "
        "events past their period, and print how many of each. The task worker runs this "
        "daily; --dry-run only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; remove nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = apply_retention(dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        for key, value in counts.items():
            self.stdout.write(f"{verb} {key.replace('_', ' ')}: {value}")
