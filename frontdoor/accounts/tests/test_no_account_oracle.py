"""Forgotten password: the request does the same work whether or not the email has an account.

What it does in the request (queries, tasks queued, audit rows) is compared, and its time is
measured with the production settings; the account is looked up by the worker.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from conftest import make_user
from frontdoor.audit.models import AuditEvent
from tests.timing import PAIRS, assert_indistinguishable, interleaved

pytestmark = pytest.mark.django_db

REAL_ARGON2 = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def shape(sql: str) -> str:
    """A query with its values taken out: what was asked, not about whom."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r'"s\d+_x\d+"', "SAVEPOINT_NAME", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\?(, \?)+", "?", sql)


def forgotten_password(email: str, ip: str) -> object:
    response = Client(REMOTE_ADDR=ip).post("/account/forgotten-password/", {"email": email})
    assert response.status_code == 302
    return response


def what_the_request_does(email: str, ip: str) -> tuple[list[str], int, int]:
    tasks, audits = DBTaskResult.objects.count(), AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        forgotten_password(email, ip)
    return (
        [shape(query["sql"]) for query in queries.captured_queries],
        DBTaskResult.objects.count() - tasks,
        AuditEvent.objects.count() - audits,
    )


def test_a_known_and_an_unknown_email_run_the_same_queries_tasks_and_audit_rows(professional):
    known = what_the_request_does(professional.email, "192.0.2.1")
    unknown = what_the_request_does("nobody@school.example.org", "192.0.2.2")

    assert known == unknown
    assert known[1] == 1  # one task, which finds out whether there is an account


def test_the_known_email_still_gets_its_code_and_the_unknown_one_nothing(
    professional, run_tasks, mailoutbox
):
    forgotten_password(professional.email, "192.0.2.1")
    forgotten_password("nobody@school.example.org", "192.0.2.2")
    run_tasks()

    assert [message.to for message in mailoutbox] == [[professional.email]]
    requested = AuditEvent.objects.filter(action="password.reset_requested")
    assert sorted(event.detail["known"] for event in requested) == [False, True]


def test_forgotten_password_takes_as_long_for_an_unknown_email(settings):
    # Production's settings (the test suite's are production's, with Argon2's real costs
    # here; the request hashes nothing). Each pair a different account and address, as an
    # attacker probing a list of emails would send them.
    known = [make_user(f"known{n}@school.example.org", "Known", "User") for n in range(PAIRS)]
    settings.PASSWORD_HASHERS = REAL_ARGON2
    # Warm up: the first requests of a process pay for imports and connections.
    for n in range(3):
        forgotten_password(f"warm{n}@school.example.org", f"198.51.100.{n}")

    known_times, unknown_times = interleaved(
        lambda n: forgotten_password(known[n].email, f"10.0.{n}.1"),
        lambda n: forgotten_password(f"unknown{n}@school.example.org", f"10.1.{n}.1"),
    )

    assert_indistinguishable(known_times, unknown_times)


def what_resending_does(email: str, ip: str) -> tuple[list[str], int, int]:
    client = Client(REMOTE_ADDR=ip)
    client.post("/account/forgotten-password/", {"email": email})
    tasks, audits = DBTaskResult.objects.count(), AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/account/forgotten-password/reset/", {"resend": "1"})
    assert response.status_code == 200
    assert "We have sent you a new code" in response.content.decode()
    return (
        [shape(query["sql"]) for query in queries.captured_queries],
        DBTaskResult.objects.count() - tasks,
        AuditEvent.objects.count() - audits,
    )


def test_send_me_a_new_code_does_the_same_for_a_known_and_an_unknown_email(
    professional, run_tasks, mailoutbox
):
    known = what_resending_does(professional.email, "192.0.2.1")
    unknown = what_resending_does("nobody@school.example.org", "192.0.2.2")

    assert known == unknown
    run_tasks()
    assert {tuple(message.to) for message in mailoutbox} == {(professional.email,)}
