from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from frontdoor.accounts.models import Team
from frontdoor.api import clients, webhooks


class Command(BaseCommand):
    help = (
        "Create an API client for one or more teams and print its token (shown only once), "
        "and with --webhook the signing secret of its webhook endpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The system, e.g. 'Liquidlogic LCS'.")
        parser.add_argument(
            "--team", action="append", required=True, help="A team's slug; repeat for more."
        )
        parser.add_argument(
            "--webhook",
            metavar="URL",
            help="Register this webhook endpoint for every event and print its signing secret.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = sorted(set(options["team"]))
        teams = list(Team.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {team.slug for team in teams})
        if unknown:
            raise CommandError(f"No team with the slug {', '.join(unknown)}")
        url = (options["webhook"] or "").strip()
        try:  # all or nothing: a refused URL makes no client, so the command can be re-run
            with transaction.atomic():
                client, token = clients.create_client(options["name"].strip(), teams)
                secret = webhooks.register(client, url, webhooks.EVENTS)[1] if url else ""
        except webhooks.Refused as refused:
            raise CommandError(f"--webhook: {refused}") from None
        except ImproperlyConfigured as problem:  # no WEBHOOK_SECRET_KEY to keep the secret
            raise CommandError(str(problem)) from None
        except clients.Refused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Created API client {client.name} for {', '.join(slugs)}.")
        self.stdout.write("Its token (shown only this once; keep it in a secret store):")
        self.stdout.write(token)
        if secret:
            self.stdout.write(f"Its webhook {url} gets {', '.join(webhooks.EVENTS)}.")
            self.stdout.write("Its signing secret (shown only this once; keep it with the token):")
            self.stdout.write(secret)
