"""Staff can tell whether the referrer was emailed about a decision: record_outcome keeps
the email's record on the step (StatusChange.email), and the worker marks it sent, or
failed once the mail server has refused it past the last retry."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from frontdoor.notifications.services import delivery_label, delivery_state
from frontdoor.notifications.tasks import deliver_email
from frontdoor.referrals.models import StatusChange
from frontdoor.referrals.submissions import record_outcome
from tests.sending import send
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.django_db


def decide(submission):
    return record_outcome(
        submission, "s47", "We held a strategy discussion.", None, label="Strategy", final=True
    )


def test_the_decision_keeps_the_email_to_the_referrer_and_it_is_marked_sent(
    professional, teams, run_tasks
):
    submission = send(professional, "social-care-referral")
    run_tasks()
    mail.outbox.clear()

    change = decide(submission)

    assert change.email is not None
    assert change.email.template == "response_available"
    assert delivery_state(change.email) == "waiting"
    run_tasks()
    [message] = mail.outbox
    assert message.to == [professional.email]
    change = StatusChange.objects.select_related("email").get(pk=change.pk)
    assert change.email is not None
    assert delivery_state(change.email) == "sent"
    assert delivery_label(change.email).startswith("sent on ")


def test_a_step_nobody_is_told_of_has_no_email(professional, teams):
    submission = send(professional, "social-care-referral")
    change = record_outcome(submission, "transferred", "", None, label="Passed on", tell=False)
    assert change.email is None


def test_a_decision_email_the_server_keeps_refusing_is_shown_as_failed(
    professional, teams, settings, run_tasks
):
    submission = send(professional, "social-care-referral")
    run_tasks()
    server = SMTPServer(refusing=True)
    settings.MAILERS = server.mailers()
    server.start()
    try:
        change = decide(submission)
        run_tasks()
        while waiting := DBTaskResult.objects.filter(
            task_path=deliver_email.module_path, status="READY"
        ).first():
            email = StatusChange.objects.get(pk=change.pk).email
            assert email is not None
            assert delivery_state(email) == "waiting"
            with time_machine.travel(waiting.run_after + timedelta(seconds=1), tick=False):
                run_tasks()
    finally:
        server.stop()

    assert server.messages == []
    email = StatusChange.objects.get(pk=change.pk).email
    assert email is not None
    assert delivery_state(email) == "failed"
    assert email.attempts == len(settings.EMAIL_RETRY_SECONDS) + 1
    assert "phone them" in delivery_label(email)
