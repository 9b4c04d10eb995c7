"""Email through a real SMTP server: a code reaches its inbox, and an outage loses nothing."""

import re
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from frontdoor.accounts.models import User
from frontdoor.notifications import services
from frontdoor.notifications.tasks import deliver_email
from tests.smtp_server import SMTPServer, free_port

EMAIL = "new.dsl@school.example.org"
PASSWORD = "Kettle-Orbit-Lantern7"


def test_registration_code_arrives_by_smtp_and_verifies_the_account(
    client, smtp_server, settings, run_tasks
):
    settings.MAILERS = smtp_server.mailers()

    response = client.post(
        reverse("accounts:register"),
        {
            "first_name": "Rowan",
            "last_name": "Ellis",
            "professional": "yes",
            "organisation": "Riverside Primary School",
            "job_title": "Designated safeguarding lead",
            "house": "12",
            "street": "Fictional Road",
            "town": "Worcester",
            "postcode": "WR1 1AA",
        },
    )
    assert response.status_code == 302, response.content.decode()
    response = client.post(
        reverse("accounts:register_step2"),
        {"email": EMAIL, "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    assert response["Location"] == reverse("accounts:verify_email")
    assert smtp_server.messages == []  # sent by the worker, not by the page

    run_tasks()

    [message] = smtp_server.messages
    assert message["To"] == EMAIL
    assert "verification code" in message["Subject"]
    code = re.search(r"\b(\d{6})\b", SMTPServer.text(message))
    assert code is not None

    response = client.post(reverse("accounts:verify_email"), {"code": code.group(1)})

    assert response["Location"] == reverse("accounts:registered")
    assert User.objects.get(email=EMAIL).is_verified


def test_mail_server_outage_delays_the_email_and_loses_nothing(settings, run_tasks):
    server = SMTPServer(port=free_port())  # not started yet: the port refuses connections
    settings.MAILERS = server.mailers()

    services.send("parent@example.net", "password_changed", {"first_name": "Sam"})
    run_tasks()

    waiting = DBTaskResult.objects.filter(task_path=deliver_email.module_path, status="READY").get()
    assert waiting.args_kwargs["kwargs"]["attempt"] == 1
    first_delay = timedelta(seconds=settings.EMAIL_RETRY_SECONDS[0])
    assert waiting.run_after > timezone.now() + first_delay - timedelta(seconds=30)
    run_tasks()  # too early: nothing is tried again yet
    assert DBTaskResult.objects.filter(pk=waiting.pk, status="READY").exists()

    server.start()
    try:
        with time_machine.travel(waiting.run_after + timedelta(seconds=1), tick=False):
            run_tasks()
    finally:
        server.stop()

    [message] = server.messages
    assert message["To"] == "parent@example.net"
    assert "Sam" in SMTPServer.text(message)
    assert not DBTaskResult.objects.filter(task_path=deliver_email.module_path, status="READY")
    assert not DBTaskResult.objects.filter(status="FAILED")


def test_a_code_that_could_not_be_sent_is_cancelled_and_audited(settings, professional, run_tasks):
    from frontdoor.accounts.models import OneTimeCode
    from frontdoor.accounts.services import request_code
    from frontdoor.audit.models import AuditEvent

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    request_code(professional, OneTimeCode.Purpose.SIGN_IN)
    run_tasks()

    code = OneTimeCode.objects.get(user=professional)
    assert code.cancelled_at is not None
    event = AuditEvent.objects.get(action="code.send_failed")
    assert event.detail["error"] == "ConnectionRefusedError"
    assert professional.email not in str(event.detail)
