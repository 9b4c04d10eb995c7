"""Shared fixtures: named personas, the real task worker, and helpers to read emails.

Browser fixtures (Chromium + axe-core) live in tests/browser/conftest.py; the real SMTP
server (`smtp_server`) in tests/smtp_server.py, shared from here.
"""

import contextlib
import re
from collections.abc import Callable
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client

from frontdoor.accounts.models import Team, User
from frontdoor.accounts.passwords import remember_password
from frontdoor.addresses.models import Address
from tests.clamd import clamd  # noqa: F401 - a shared fixture (session, autouse)
from tests.smtp_server import smtp_server  # noqa: F401 - a shared fixture

PASSWORD = "Kettle-Orbit-Lantern7"  # noqa: S105 - the personas' test password
ADDRESS = Address(house="12", street="Fictional Road", town="Worcester", postcode="WR1 1AA")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Throttle counters live in the cache (a database table): start every test clean.
    from django.core.cache import cache

    # Tests without a database have no cache table to clear.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture
def run_tasks(db: None) -> Callable[[], None]:
    """Run the real database task worker until the default queue is empty (emails, codes…;
    not PDF copies, which have their own queue: run_pdf_tasks)."""

    def run() -> None:
        # The worker closes "old" connections between tasks; inside a test's transaction
        # on PostgreSQL that would close the test's own connection, so keep it open.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture
def run_pdf_tasks(db: None) -> Callable[[], None]:
    """Run the real worker of the "pdf" queue (PDF copies) until it is empty."""

    def run() -> None:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--queue-name",
                "pdf",
                verbosity=0,
            )

    return run


def make_user(email: str, first_name: str, last_name: str, **extra: object) -> User:
    from django.utils import timezone

    user = User.objects.create_user(
        email=email,
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name,
        email_verified_at=timezone.now(),
        address_data=ADDRESS.to_dict(),
        **extra,
    )
    remember_password(user)
    return user


@pytest.fixture
def teams(db: None) -> dict[str, Team]:
    call_command("load_teams", verbosity=0)
    return {team.slug: team for team in Team.objects.all()}


@pytest.fixture
def professional(db: None) -> User:
    return make_user(
        "dsl@school.example.org",
        "Priya",
        "Patel",
        is_professional=True,
        organisation="Riverside Primary School",
        job_title="Designated safeguarding lead",
    )


@pytest.fixture
def second_professional(db: None) -> User:
    return make_user(
        "gp@surgery.example.nhs.uk",
        "Gareth",
        "Owen",
        is_professional=True,
        organisation="Elm Street Surgery",
        job_title="GP",
    )


@pytest.fixture
def member_of_public(db: None) -> User:
    return make_user("parent@example.net", "Sam", "Jones")


@pytest.fixture
def mash_staff(teams: dict[str, Team]) -> User:
    user = make_user("mash.worker@council.example.gov.uk", "Morgan", "Reid", is_professional=True)
    user.teams.add(teams["social-care"])
    return user


@pytest.fixture
def early_help_staff(teams: dict[str, Team]) -> User:
    user = make_user("eh.worker@council.example.gov.uk", "Alex", "Khan", is_professional=True)
    user.teams.add(teams["early-help"])
    return user


@pytest.fixture
def administrator(db: None) -> User:
    return make_user(
        "admin@council.example.gov.uk", "Ada", "Lovelace", is_staff=True, is_superuser=True
    )


def sign_in(
    client: Client,
    user: User,
    run_tasks: Callable[[], None],
    password: str = PASSWORD,
    next_url: str | None = None,
) -> HttpResponse:
    """The real two-step sign-in: password, then the emailed code. Returns the last response."""
    data = {"email": user.email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    response = client.post("/account/sign-in/", data)
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/code/"
    run_tasks()
    response = client.post("/account/sign-in/code/", {"code": last_code(user.email)})
    assert response.status_code == 302
    return response


def last_code(to: str) -> str:
    """The 6-digit code in the newest email sent to `to` (memory email backend)."""
    for message in reversed(mail.outbox):
        if to in message.to:
            match = re.search(r"\b(\d{6})\b", message.body)
            if match:
                return match.group(1)
    raise AssertionError(f"No code was emailed to {to}")


# --- Suite-wide checks ----------------------------------------------------------------------
# tests/coverage_walk.py fails the session when a page was never checked with axe, or no test
# shows another user gets 404 for a URL naming someone's object; tests/privacy_guard.py fails
# any test after which an email, a log record or a URL holds a persona's personal data.
pytest_plugins = ["tests.coverage_walk", "tests.privacy_guard"]
