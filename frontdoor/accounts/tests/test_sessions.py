"""Sessions: two-step sign-in, rotation, idle and absolute limits, ending sessions, cookies."""

import os
import secrets
import string
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from conftest import PASSWORD, last_code, sign_in
from frontdoor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DETAILS = "/account/details/"
SIGN_IN = "/account/sign-in/"
NEW_PASSWORD = "Harbour-Violet-Quiz84"


def session_cookie(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def is_signed_in(client) -> bool:
    response = client.get(DETAILS)
    if response.status_code == 200:
        assert response.wsgi_request.user.is_authenticated
        return True
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
    return False


def assert_sent_to_sign_in(response):
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


# --- Signing in ---------------------------------------------------------------------------


def test_half_signed_in_session_reaches_no_page_behind_sign_in(client, professional, run_tasks):
    response = client.post(SIGN_IN, {"email": professional.email, "password": PASSWORD})
    assert response["Location"] == "/account/sign-in/code/"

    response = client.get(DETAILS)

    assert_sent_to_sign_in(response)
    assert response["Location"] == f"{SIGN_IN}?next={DETAILS}"
    assert not response.wsgi_request.user.is_authenticated
    assert not client.get("/account/session/").json()["signed_in"]


def test_session_id_rotates_at_sign_in(client, professional, run_tasks):
    client.post(SIGN_IN, {"email": professional.email, "password": PASSWORD})
    run_tasks()
    before = session_cookie(client)

    client.post("/account/sign-in/code/", {"code": last_code(professional.email)})

    after = session_cookie(client)
    assert after != before
    assert is_signed_in(client)
    # The half-signed-in key is dead: nobody who planted or saw it is signed in with it.
    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = before
    assert not is_signed_in(planted)


# --- Idle and absolute limits ---------------------------------------------------------------


def test_sixty_minutes_idle_signs_out_on_the_server_and_shows_signed_out_page(
    client, professional, run_tasks
):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, professional, run_tasks)
        assert is_signed_in(client)
        old_cookie = session_cookie(client)

        traveller.shift(timedelta(minutes=61))
        response = client.get(DETAILS)

        assert response.status_code == 302
        assert response["Location"] == "/account/timed-out/"
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "You have been signed out" in page.content.decode()
        assert_sent_to_sign_in(client.get(DETAILS))

        replay = Client()
        replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
        assert not is_signed_in(replay)

    assert AuditEvent.objects.filter(action="session.timed_out", actor_id=professional.pk).exists()


def test_activity_keeps_the_session_alive(client, professional, run_tasks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, professional, run_tasks)

        traveller.shift(timedelta(minutes=40))
        assert is_signed_in(client)
        traveller.shift(timedelta(minutes=40))  # 80 minutes after signing in, 40 idle

        assert is_signed_in(client)


def test_checking_time_left_does_not_extend_the_session(client, professional, run_tasks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, professional, run_tasks)

        traveller.shift(timedelta(minutes=50))
        status = client.get("/account/session/")
        assert status.json() == {"signed_in": True, "seconds_left": 600}

        traveller.shift(timedelta(minutes=11))
        response = client.get(DETAILS)

        assert response["Location"] == "/account/timed-out/"


def test_session_status_after_the_end_says_signed_out(client, professional, run_tasks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, professional, run_tasks)
        traveller.shift(timedelta(minutes=61))

        status = client.get("/account/session/")

        assert status.json() == {"signed_in": False, "seconds_left": 0}
        assert not is_signed_in(client)


def test_stay_signed_in_extends(client, professional, run_tasks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, professional, run_tasks)

        traveller.shift(timedelta(minutes=50))
        response = client.post("/account/session/extend/", HTTP_ACCEPT="application/json")
        assert response.json() == {"signed_in": True, "seconds_left": 3600}

        traveller.shift(timedelta(minutes=40))  # 90 after signing in, 40 after extending
        assert is_signed_in(client)


def test_absolute_limit_of_twelve_hours(client, professional, run_tasks):
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, professional, run_tasks)
        for _ in range(14):  # active every 50 minutes up to 11h40
            traveller.shift(timedelta(minutes=50))
            assert is_signed_in(client)
        # 20 minutes of the 12 hours remain, however active the user is.
        assert client.get("/account/session/").json()["seconds_left"] == 20 * 60

        traveller.shift(timedelta(minutes=21))  # 12h01, idle only 21 minutes
        response = client.get(DETAILS)

        assert response["Location"] == "/account/timed-out/"
        assert not is_signed_in(client)


# --- Ending sessions ------------------------------------------------------------------------


def test_sign_out_ends_the_session_on_the_server(client, professional, run_tasks):
    sign_in(client, professional, run_tasks)
    copied = session_cookie(client)

    response = client.post("/account/sign-out/")

    assert response["Location"] == "/account/signed-out/"
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = copied
    assert not is_signed_in(replay)
    assert not is_signed_in(client)


def test_deactivating_an_account_ends_its_sessions_at_once(client, professional, run_tasks):
    sign_in(client, professional, run_tasks)
    assert is_signed_in(client)

    professional.is_active = False
    professional.save()

    assert not is_signed_in(client)


def test_deactivating_ends_sessions_even_when_reactivated(client, professional, run_tasks):
    sign_in(client, professional, run_tasks)

    professional.is_active = False
    professional.save()
    professional.is_active = True
    professional.save()

    assert not is_signed_in(client)


def test_password_reset_ends_every_other_session(client, professional, run_tasks):
    sign_in(client, professional, run_tasks)
    assert is_signed_in(client)
    other = Client()

    response = other.post("/account/forgotten-password/", {"email": professional.email})
    assert response["Location"] == "/account/forgotten-password/reset/"
    run_tasks()
    response = other.post(
        "/account/forgotten-password/reset/", {"code": last_code(professional.email)}
    )
    assert response["Location"] == "/account/forgotten-password/new-password/"
    response = other.post(
        "/account/forgotten-password/new-password/",
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response["Location"] == SIGN_IN
    run_tasks()

    assert not is_signed_in(client)
    assert not is_signed_in(other)  # a reset does not sign anyone in
    assert any(
        professional.email in message.to and "password has been changed" in message.subject
        for message in mail.outbox
    )
    # Signing in afterwards still needs the code.
    fresh = Client()
    response = fresh.post(SIGN_IN, {"email": professional.email, "password": NEW_PASSWORD})
    assert response["Location"] == "/account/sign-in/code/"
    assert not is_signed_in(fresh)
    run_tasks()
    fresh.post("/account/sign-in/code/", {"code": last_code(professional.email)})
    assert is_signed_in(fresh)


# --- Production settings --------------------------------------------------------------------


def production_settings(
    secret_key: str | None, *expressions: str, **extra: str
) -> subprocess.CompletedProcess:
    """Import the production settings in a clean process (clamd's address given, unless
    `extra` says otherwise) and print the expressions."""
    env = {"PATH": os.environ.get("PATH", ""), "HTTPS": "true", "CLAMD_ADDRESS": "/run/clamd.ctl"}
    env.update(extra)
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    code = "import frontdoor.settings as s; print(" + ", ".join(expressions or ("1",)) + ")"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def random_key() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60))


def test_cookies_are_secure_httponly_samesite_in_production():
    result = production_settings(
        random_key(),
        "s.SESSION_COOKIE_SECURE",
        "s.CSRF_COOKIE_SECURE",
        "s.SESSION_COOKIE_HTTPONLY",
        "s.SESSION_COOKIE_SAMESITE",
        "s.SECURE_HSTS_SECONDS",
        "s.SECURE_SSL_REDIRECT",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "Lax", "31536000", "True"]


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "too-short-1234", "django-insecure-" + "x7Gq2" * 12, "ab" * 40],
    ids=["missing", "empty", "short", "django-insecure", "few-distinct-characters"],
)
def test_production_settings_refuse_to_start_without_a_real_secret_key(secret_key):
    result = production_settings(secret_key)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
