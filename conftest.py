"""Shared fixtures: named personas, the real task worker, and helpers to read emails.

Browser fixtures (Chromium + axe-core) live in tests/browser/conftest.py; the real SMTP
server (`smtp_server`) in tests/smtp_server.py, shared from here.
"""

import contextlib
import re
from collections.abc import Callable
from typing import Any
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
from tests.moto_s3 import s3_endpoint  # noqa: F401 - a shared fixture (module)
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


def make_user(email: str, first_name: str, last_name: str, **extra: Any) -> User:
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


@pytest.fixture(autouse=True)
def _council_teams(request: pytest.FixtureRequest) -> None:
    """Every test with a database has the council's teams, as every council does: the
    portal refuses to start while a form names a team that is not there (cases.E002), and
    a sent form's case is in its form's team."""
    uses_database = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "django_db_setup")
    )
    if uses_database:
        request.getfixturevalue("teams")


# The personas: who they are, in one place, so that tests/privacy_guard.py knows what of
# theirs must never be in an email, a log record or a URL. Staff join their teams in
# their fixtures.
PERSONAS: dict[str, dict[str, object]] = {
    "professional": {
        "email": "dsl@school.example.org",
        "first_name": "Priya",
        "last_name": "Patel",
        "is_professional": True,
        "organisation": "Riverside Primary School",
        "job_title": "Designated safeguarding lead",
        "telephone": "01632 960983",
    },
    "second_professional": {
        "email": "gp@surgery.example.nhs.uk",
        "first_name": "Gareth",
        "last_name": "Owen",
        "is_professional": True,
        "organisation": "Elm Street Surgery",
        "job_title": "GP",
    },
    "member_of_public": {
        "email": "parent@example.net",
        "first_name": "Sam",
        "last_name": "Jones",
    },
    "mash_staff": {
        "email": "mash.worker@council.example.gov.uk",
        "first_name": "Morgan",
        "last_name": "Reid",
        "is_professional": True,
    },
    "early_help_staff": {
        "email": "eh.worker@council.example.gov.uk",
        "first_name": "Alex",
        "last_name": "Khan",
        "is_professional": True,
    },
    "administrator": {
        "email": "admin@council.example.gov.uk",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "is_staff": True,
        "is_superuser": True,
    },
}
for _persona in PERSONAS.values():
    _persona["address_data"] = ADDRESS.to_dict()


def persona(name: str) -> User:
    fields = {k: v for k, v in PERSONAS[name].items() if k != "address_data"}
    return make_user(**fields)  # type: ignore[arg-type]


@pytest.fixture
def professional(db: None) -> User:
    return persona("professional")


@pytest.fixture
def second_professional(db: None) -> User:
    return persona("second_professional")


@pytest.fixture
def member_of_public(db: None) -> User:
    return persona("member_of_public")


@pytest.fixture
def mash_staff(teams: dict[str, Team]) -> User:
    user = persona("mash_staff")
    user.teams.add(teams["social-care"])
    return user


@pytest.fixture
def early_help_staff(teams: dict[str, Team]) -> User:
    user = persona("early_help_staff")
    user.teams.add(teams["early-help"])
    return user


@pytest.fixture
def administrator(db: None) -> User:
    return persona("administrator")


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


def signed_in(user: User, run_tasks: Callable[[], None]) -> Client:
    """A new client, signed in as `user` through the real password-and-code flow."""
    client = Client()
    sign_in(client, user, run_tasks)
    return client


@pytest.fixture
def professional_client(professional: User, run_tasks: Callable[[], None]) -> Client:
    """A client signed in as the professional persona (the school's safeguarding lead)."""
    return signed_in(professional, run_tasks)


@pytest.fixture
def feedback_staff(teams: dict[str, Team]) -> User:
    """Staff of the feedback team."""
    user = make_user("feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True)
    user.teams.add(teams["feedback"])
    return user


def worker_database_url() -> str:
    """DATABASE_URL for a real worker in another process, on this test's database (a file
    for SQLite, so both processes share it)."""
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


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
# any test after which an email, a log record, a URL or a worker's output holds a persona's
# (or any account's) personal data.
pytest_plugins = ["tests.coverage_walk", "tests.privacy_guard"]
