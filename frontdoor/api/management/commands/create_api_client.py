from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdoor.accounts.models import Team
from frontdoor.api import clients


class Command(BaseCommand):
    help = "Create an API client for one or more teams and print its token (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The system, e.g. 'Liquidlogic LCS'.")
        parser.add_argument(
            "--team", action="append", required=True, help="A team's slug; repeat for more."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = sorted(set(options["team"]))
        teams = list(Team.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {team.slug for team in teams})
        if unknown:
            raise CommandError(f"No team with the slug {', '.join(unknown)}")
        try:
            client, token = clients.create_client(options["name"].strip(), teams)
        except clients.Refused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Created API client {client.name} for {', '.join(slugs)}.")
        self.stdout.write("Its token (shown only this once; keep it in a secret store):")
        self.stdout.write(token)
