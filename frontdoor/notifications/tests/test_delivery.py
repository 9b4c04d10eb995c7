"""Whether an email went: send() records each email (its template, not its address) and
the worker counts each try on it, and marks it sent, or failed once it gives up."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from frontdoor.audit.models import AuditEvent
from frontdoor.notifications import services
from frontdoor.notifications.models import Email
from frontdoor.notifications.tasks import deliver_email
from tests.smtp_server import SMTPServer, free_port

LONDON = ZoneInfo("Europe/London")
ADDRESS = "parent@example.net"


def waiting_task() -> DBTaskResult | None:
    return DBTaskResult.objects.filter(task_path=deliver_email.module_path, status="READY").first()


def retry_when_due(run_tasks) -> None:
    """Run the worker when the waiting retry is due (the clock moved on to it)."""
    task = waiting_task()
    assert task is not None
    with time_machine.travel(task.run_after + timedelta(seconds=1), tick=False):
        run_tasks()


def test_send_records_the_email_but_not_who_it_is_to_and_the_worker_marks_it_sent(run_tasks):
    with time_machine.travel(datetime(2026, 12, 2, 10, 42, tzinfo=LONDON), tick=False):
        email = services.send(ADDRESS, "password_changed", {"first_name": "Sam"})

        assert isinstance(email, Email)
        assert (email.template, email.attempts, email.sent_at, email.failed_at) == (
            "password_changed",
            0,
            None,
            None,
        )
        assert services.delivery_state(email) == "waiting"
        assert services.delivery_label(email) == "not sent yet"
        stored = Email.objects.filter(pk=email.pk).values().get()
        assert ADDRESS not in str(stored)
        assert "Sam" not in str(stored)

        run_tasks()

    [message] = mail.outbox
    assert message.to == [ADDRESS]
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.sent_at == datetime(2026, 12, 2, 10, 42, tzinfo=LONDON)
    assert services.delivery_state(email) == "sent"
    assert services.delivery_label(email) == "sent on 2 December 2026 at 10:42am"


def test_an_email_delayed_by_an_outage_counts_its_tries_and_is_sent_when_the_server_is_back(
    settings, run_tasks
):
    server = SMTPServer(port=free_port())  # not started: the port refuses connections
    settings.MAILERS = server.mailers()

    email = services.send(ADDRESS, "password_changed", {"first_name": "Sam"})
    run_tasks()

    email.refresh_from_db()
    assert (email.attempts, email.last_error_kind) == (1, "ConnectionRefusedError")
    assert email.sent_at is None
    assert email.failed_at is None
    assert services.delivery_state(email) == "waiting"
    assert services.delivery_label(email) == (
        "not sent yet — the mail server refused it once; it will be tried again"
    )

    server.start()
    try:
        retry_when_due(run_tasks)
    finally:
        server.stop()

    [message] = server.messages
    assert message["To"] == ADDRESS
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.sent_at is not None
    assert email.failed_at is None
    assert services.delivery_state(email) == "sent"


def test_an_email_the_server_refuses_every_time_is_failed_once_the_retries_give_up(
    settings, run_tasks
):
    server = SMTPServer(refusing=True)  # answers 550 to the recipient, every time
    settings.MAILERS = server.mailers()
    server.start()
    try:
        email = services.send(ADDRESS, "password_changed", {"first_name": "Sam"})
        run_tasks()
        for tries in range(2, len(settings.EMAIL_RETRY_SECONDS) + 2):
            email.refresh_from_db()
            assert services.delivery_state(email) == "waiting"
            assert email.attempts == tries - 1
            retry_when_due(run_tasks)
    finally:
        server.stop()

    assert server.messages == []
    assert waiting_task() is None  # given up: nothing more will be tried
    email.refresh_from_db()
    assert email.attempts == len(settings.EMAIL_RETRY_SECONDS) + 1
    assert email.last_error_kind == "SMTPRecipientsRefused"
    assert email.sent_at is None
    assert email.failed_at is not None
    assert services.delivery_state(email) == "failed"
    assert services.delivery_label(email) == (
        "not sent — the mail server refused it 6 times and it will not be tried again, "
        "so phone them or write to them instead"
    )
    assert DBTaskResult.objects.filter(task_path=deliver_email.module_path, status="FAILED")
    event = AuditEvent.objects.get(action="email.send_failed")
    assert (event.object_type, event.object_id) == ("notifications.email", str(email.pk))
    assert event.detail == {
        "template": "password_changed",
        "attempts": 6,
        "error": "SMTPRecipientsRefused",
    }


def test_a_task_queued_before_emails_were_recorded_is_still_delivered(run_tasks):
    deliver_email.enqueue(
        to=ADDRESS, template="password_changed", context={"first_name": "Sam"}, attempt=0
    )
    run_tasks()

    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert not Email.objects.exists()


def test_a_staff_page_shows_the_state_with_the_template_filters(run_tasks):
    from django.template import Context, Template

    page = Template(
        "{% load delivery %}Email to the referrer: {{ email|delivery_label }}"
        " [{{ email|delivery_state }}] {{ email|delivery_tag_class }}"
    )
    with time_machine.travel(datetime(2026, 12, 2, 14, 5, tzinfo=LONDON), tick=False):
        email = services.send(ADDRESS, "password_changed", {"first_name": "Sam"})
        assert page.render(Context({"email": email})) == (
            "Email to the referrer: not sent yet [waiting] govuk-tag--grey"
        )
        run_tasks()
    email.refresh_from_db()
    assert page.render(Context({"email": email})) == (
        "Email to the referrer: sent on 2 December 2026 at 2:05pm [sent] govuk-tag--green"
    )
    assert page.render(Context({"email": None})) == "Email to the referrer:  [] "
