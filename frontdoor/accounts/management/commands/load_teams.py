import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from frontdoor.accounts.models import Team

DEFAULT = Path(__file__).resolve().parents[2] / "fixtures" / "teams.json"


class Command(BaseCommand):
    help = "Create the council's teams from a JSON file. Existing teams are left as they are."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT)

    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        for row in json.loads(options["file"].read_text()):
            _, was_created = Team.objects.get_or_create(
                slug=row["slug"],
                defaults={"name": row["name"], "mailbox": row["mailbox"], "forms": row["forms"]},
            )
            created += was_created
        self.stdout.write(f"Teams: {created} created, {Team.objects.count()} in all.")
