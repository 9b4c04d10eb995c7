"""One busy address (a school, an NHS site behind one NAT address) is slowed, never locked."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD, last_code
from frontdoor.accounts import throttle
from frontdoor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SCHOOL = "192.0.2.50"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIMIT = 30  # THROTTLE_ADDRESS_FREE_TRIES for these tests (production: 300)


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.THROTTLE_ADDRESS_FREE_TRIES = LIMIT
    settings.THROTTLE_ADDRESS_WAIT_SECONDS = 10
    settings.THROTTLE_ADDRESS_MAX_WAIT_SECONDS = 120


def password_step(email: str, password: str = PASSWORD, ip: str = SCHOOL):
    return Client(REMOTE_ADDR=ip).post("/account/sign-in/", {"email": email, "password": password})


def pupil_guesses(count: int, start: int = 0) -> None:
    """Wrong passwords against `count` different accounts, one each, from the school."""
    for n in range(start, start + count):
        response = password_step(f"user{n}@school.example.org", "Wrong-Password-99")
        assert "Enter a correct email address and password" in response.content.decode()


def test_after_many_failures_a_colleague_waits_seconds_not_the_lock_and_gets_in(
    professional, run_tasks
):
    with time_machine.travel(START, tick=False) as traveller:
        pupil_guesses(LIMIT)

        client = Client(REMOTE_ADDR=SCHOOL)
        response = client.post(
            "/account/sign-in/", {"email": professional.email, "password": PASSWORD}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Wait 10 seconds, then try again" in page
        assert "govuk-error-summary" in page
        assert "minutes" not in page.split("govuk-error-summary")[1].split("</div>")[0]

        traveller.shift(timedelta(seconds=5))
        response = client.post(
            "/account/sign-in/", {"email": professional.email, "password": PASSWORD}
        )
        assert "Wait 5 seconds, then try again" in response.content.decode()

        traveller.shift(timedelta(seconds=5))
        response = client.post(
            "/account/sign-in/", {"email": professional.email, "password": PASSWORD}
        )
        assert response["Location"] == "/account/sign-in/code/"
        run_tasks()
        # The code step follows at once: the right password is not made to wait again.
        response = client.post("/account/sign-in/code/", {"code": last_code(professional.email)})
        assert response["Location"] == "/"
    assert AuditEvent.objects.filter(action="signin.slowed").exists()


def test_the_wait_grows_as_failures_go_on(professional):
    others = [f"other{n}@school.example.org" for n in range(LIMIT)]
    with time_machine.travel(START, tick=False) as traveller:
        pupil_guesses(LIMIT)
        assert "Wait 10 seconds" in password_step(professional.email).content.decode()
        # Accounts not tried yet from here are slowed too: each waits, then is checked.
        for email in others:
            assert "Wait 10 seconds" in password_step(email, "Wrong-Password-99").content.decode()
        traveller.shift(timedelta(seconds=10))
        for email in others:
            page = password_step(email, "Wrong-Password-99").content.decode()
            assert "Enter a correct email address and password" in page

        page = password_step("new@school.example.org").content.decode()  # 2 x LIMIT failures
        assert "Wait 20 seconds, then try again" in page


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(31, 10), (60, 10), (61, 20), (90, 20), (91, 40), (121, 80), (151, 120), (10_000, 120)],
)
def test_the_wait_doubles_for_every_limit_of_failures_up_to_the_maximum(failures, seconds):
    assert throttle.address_wait_seconds(failures) == seconds


def test_the_per_account_lock_still_holds_behind_a_busy_address(professional):
    with time_machine.travel(START, tick=False) as traveller:
        pupil_guesses(LIMIT)
        assert "Wait 10 seconds" in password_step(professional.email, "Wrong-1").content.decode()
        for _ in range(10):
            traveller.shift(timedelta(seconds=20))
            response = password_step(professional.email, "Wrong-Password-99")
            assert "Enter a correct email address and password" in response.content.decode()
        traveller.shift(timedelta(seconds=60))
        response = password_step(professional.email)  # even the right password

        assert "There have been too many attempts to sign in. Wait 15 minutes" in (
            response.content.decode()
        )
        # Locked for this account only: a colleague at the school is only slowed.
        assert "Wait 10 seconds" in password_step("colleague@school.example.org").content.decode()


def test_another_address_is_not_slowed(professional):
    with time_machine.travel(START, tick=False):
        pupil_guesses(LIMIT)
        response = password_step(professional.email, ip="198.51.100.20")
        assert response["Location"] == "/account/sign-in/code/"


def test_the_slowdown_ends_when_the_failures_are_old(professional):
    with time_machine.travel(START, tick=False) as traveller:
        pupil_guesses(LIMIT)
        traveller.shift(timedelta(minutes=16))
        assert password_step(professional.email)["Location"] == "/account/sign-in/code/"


def test_a_wrong_code_from_a_busy_address_waits_before_the_next(professional, run_tasks):
    with time_machine.travel(START, tick=False) as traveller:
        pupil_guesses(LIMIT)
        client = Client(REMOTE_ADDR=SCHOOL)
        form = {"email": professional.email, "password": PASSWORD}
        client.post("/account/sign-in/", form)
        traveller.shift(timedelta(seconds=10))
        assert client.post("/account/sign-in/", form)["Location"] == "/account/sign-in/code/"
        run_tasks()
        wrong = client.post("/account/sign-in/code/", {"code": "000000"})
        assert "The code is not correct" in wrong.content.decode()

        again = client.post("/account/sign-in/code/", {"code": last_code(professional.email)})
        assert "Wait 10 seconds, then try again" in again.content.decode()
        traveller.shift(timedelta(seconds=10))
        right = client.post("/account/sign-in/code/", {"code": last_code(professional.email)})
        assert right["Location"] == "/"
