"""A mail-server outage while a form is sent, with the real worker in its own process."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.http import QueryDict

from conftest import worker_database_url
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Submission
from frontdoor.referrals.submissions import submit
from tests.smtp_server import SMTPServer


def run_worker(smtp: SMTPServer) -> None:
    """`manage.py db_worker --batch`: the real worker, in another process, on the test
    database (a file for SQLite, so both processes share it)."""
    url = worker_database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "frontdoor.settings_test",
        "DATABASE_URL": url,
        "EMAIL_URL": f"smtp://{smtp.host}:{smtp.port}",
        "EMAIL_RETRY_SECONDS": "1,1,1",
    }
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_during_a_mail_outage_is_kept_and_its_emails_arrive_later(
    member_of_public, teams
):
    feedback = registry.get("feedback")
    draft = drafts.start(member_of_public, feedback)
    for slug, data in (
        ("about-you", "anonymous=yes"),
        ("your-feedback", "kind=comment&what_happened=It+was+fine"),
    ):
        drafts.save_section(draft, feedback.section(slug), QueryDict(data), loaded_revision=0)
    smtp = SMTPServer()  # not started: the mail server is down

    submission = submit(draft.pk, member_of_public)
    run_worker(smtp)

    assert Submission.objects.filter(pk=submission.pk).exists()
    assert smtp.messages == []
    smtp.start()
    try:
        time.sleep(1.2)  # the first retry is due after 1 second
        run_worker(smtp)
    finally:
        smtp.stop()
    recipients = sorted(message["To"] for message in smtp.messages)
    assert recipients == sorted([member_of_public.email, teams["feedback"].mailbox])
    assert all(submission.reference in SMTPServer.text(m) for m in smtp.messages)
