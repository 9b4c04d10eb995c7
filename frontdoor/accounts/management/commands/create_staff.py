import getpass
import os
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from frontdoor.accounts.models import Team, User, normalise_email
from frontdoor.accounts.services import create_staff


class Command(BaseCommand):
    help = (
        "Create a council staff account in one or more teams, or an administrator. "
        "Asks for the password, or reads FRONTDOOR_STAFF_PASSWORD with --no-input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument(
            "--team", action="append", default=[], help="A team's short name; repeat for more."
        )
        parser.add_argument(
            "--manager",
            action="store_true",
            help="A manager of the teams given (assigns to others, changes ratings, confirms "
            "decisions, where the team's workflow keeps those for managers).",
        )
        parser.add_argument("--admin", action="store_true", help="May use the administration site.")
        parser.add_argument("--no-input", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalise_email(options["email"])
        if User.objects.filter(email=email).exists():
            raise CommandError("An account with that email address already exists.")
        teams = list(Team.objects.filter(slug__in=options["team"]))
        unknown = set(options["team"]) - {team.slug for team in teams}
        if unknown:
            known = (
                ", ".join(Team.objects.values_list("slug", flat=True)) or "none (run load_teams)"
            )
            raise CommandError(f"No team called {', '.join(sorted(unknown))}. Teams: {known}")
        if not teams and not options["admin"]:
            raise CommandError("Give at least one --team, or --admin.")
        if options["manager"] and not teams:
            raise CommandError("--manager needs the --team (or teams) they manage.")
        candidate = User(
            first_name=options["first_name"], last_name=options["last_name"], email=email
        )
        password = self._password(options["no_input"], candidate)
        user = create_staff(
            email=email,
            first_name=options["first_name"],
            last_name=options["last_name"],
            password=password,
            teams=teams,
            managed=teams if options["manager"] else [],
            administrator=options["admin"],
        )
        role = "administrator" if options["admin"] else "manager" if options["manager"] else "staff"
        self.stdout.write(
            self.style.SUCCESS(f"Created the {role} account {user.email}. They can sign in now.")
        )

    def _password(self, no_input: bool, candidate: User) -> str:
        while True:
            if no_input:
                password = os.environ.get("FRONTDOOR_STAFF_PASSWORD", "")
            else:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    self.stderr.write("The passwords do not match.")
                    continue
            try:
                password_validation.validate_password(password, candidate)
                return password
            except ValidationError as error:
                message = "\n".join(f"- {line}" for line in error.messages)
                if no_input:
                    raise CommandError(message) from None
                self.stderr.write(message)
