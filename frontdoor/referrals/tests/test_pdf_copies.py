"""PDF copies (issue 8): made once by the worker on their own queue, then only streamed.

A large form's copy takes seconds of CPU to lay out, so no request may make one: the real
worker makes it after sending and stores it privately; until then the pages say it is
being made. A form sent before copies were kept gets one queued on the first request.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core import mail
from django.http import QueryDict
from django_tasks_db.models import DBTaskResult

from conftest import signed_in, worker_database_url
from frontdoor.audit.models import AuditEvent
from frontdoor.documents.storage import documents_storage
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import PdfCopy, StatusChange, Submission
from frontdoor.referrals.submissions import record_outcome, submit
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.django_db

WHAT_HAPPENED = "Nobody called back after three messages about the school transport"


def sent_feedback(user) -> Submission:
    definition = registry.get("feedback")
    draft = drafts.start(user, definition)
    for slug, data in (
        ("about-you", "anonymous=yes"),
        ("your-feedback", f"kind=complaint&what_happened={WHAT_HAPPENED.replace(' ', '+')}"),
    ):
        drafts.save_section(draft, definition.section(slug), QueryDict(data), loaded_revision=0)
    return submit(draft.pk, user)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "copy.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def downloaded(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def pdf_tasks(status: str = "READY"):
    return DBTaskResult.objects.filter(queue_name="pdf", status=status)


def test_the_worker_makes_the_copy_and_each_request_streams_the_stored_file(
    member_of_public, feedback_staff, teams, run_tasks, run_pdf_tasks, tmp_path
):
    submission = sent_feedback(member_of_public)
    referrer = signed_in(member_of_public, run_tasks)
    url = f"/forms/sent/{submission.reference}/pdf/"

    run_pdf_tasks()  # the real worker, on the PDF queue

    copy = PdfCopy.objects.get(submission=submission)
    with documents_storage().open(copy.stored_as, "rb") as file:
        stored = file.read()
    first = downloaded(referrer.get(url))
    assert first == stored  # the stored file, streamed: nothing laid out in the request
    assert copy.size == len(stored)
    text = pdf_text(first, tmp_path)
    assert submission.reference in text
    assert WHAT_HAPPENED in " ".join(text.split())

    # What changes later is on the pages, not in the copy: it is the form as it was sent.
    team = signed_in(feedback_staff, run_tasks)
    record_outcome(
        submission, StatusChange.Status.COMPLETED, "We phoned on Tuesday", feedback_staff
    )
    assert "We phoned on Tuesday" in referrer.get(f"/forms/sent/{submission.reference}/").text
    assert downloaded(referrer.get(url)) == first
    assert downloaded(team.get(f"/team/{submission.reference}/pdf/")) == first
    assert "We phoned on Tuesday" not in pdf_text(first, tmp_path)
    # Each download is audited, as before.
    assert (
        AuditEvent.objects.filter(
            action="submission.pdf_downloaded", object_id=str(submission.pk)
        ).count()
        == 3
    )
    assert not pdf_tasks().exists()  # and none of them queued another copy


def test_until_the_worker_has_made_it_the_pages_say_the_copy_is_being_made(
    member_of_public, feedback_staff, teams, run_tasks, run_pdf_tasks
):
    submission = sent_feedback(member_of_public)
    referrer = signed_in(member_of_public, run_tasks)
    team = signed_in(feedback_staff, run_tasks)
    pdf_urls = {
        referrer: f"/forms/sent/{submission.reference}/pdf/",
        team: f"/team/{submission.reference}/pdf/",
    }
    pages = {
        referrer: f"/forms/sent/{submission.reference}/",
        team: f"/team/{submission.reference}/",
    }

    for client in (referrer, team):
        page = client.get(pages[client]).text
        # A plain link (not a download: it opens a page while the copy is being made).
        assert f'<a class="govuk-link" href="{pdf_urls[client]}">Download a copy (PDF)</a>' in page
        assert "The PDF copy is still being made" in page

        response = client.get(pdf_urls[client])
        assert response.status_code == 202
        assert response["Content-Type"].startswith("text/html")
        text = response.text
        assert '<h1 class="govuk-heading-l">Your PDF copy is being made</h1>' in text
        assert f'href="{pdf_urls[client]}"' in text  # try again
        assert f'href="{pages[client]}"' in text  # and back to the form
        assert submission.reference in text
    assert not AuditEvent.objects.filter(action="submission.pdf_downloaded").exists()
    assert pdf_tasks().count() == 1  # asking did not queue a second

    run_pdf_tasks()
    for client in (referrer, team):
        page = client.get(pages[client]).text
        assert f'href="{pdf_urls[client]}" download>Download a copy (PDF)</a>' in page
        assert "still being made" not in page
        downloaded(client.get(pdf_urls[client]))


def test_a_waiting_pdf_never_holds_up_a_code_or_a_notice(
    member_of_public, professional, teams, run_tasks, run_pdf_tasks
):
    submission = sent_feedback(member_of_public)
    assert pdf_tasks().count() == 1  # queued with the sending, on its own queue
    assert DBTaskResult.objects.filter(queue_name="default", status="READY").count() == 2

    run_tasks()  # only the default queue's worker runs

    sent_to = [message.to for message in mail.outbox]
    assert [member_of_public.email] in sent_to  # the acknowledgement
    assert [teams["feedback"].mailbox] in sent_to  # the team's notice
    signed_in(professional, run_tasks)  # a sign-in code goes too, with the PDF still waiting
    assert pdf_tasks().count() == 1
    assert not PdfCopy.objects.get(submission=submission).ready

    run_pdf_tasks()
    assert not pdf_tasks().exists()
    assert pdf_tasks("SUCCESSFUL").count() == 1
    assert PdfCopy.objects.get(submission=submission).ready


def test_a_form_sent_before_copies_were_kept_gets_one_copy_on_first_request(
    member_of_public, second_professional, teams, run_tasks, run_pdf_tasks
):
    submission = sent_feedback(member_of_public)
    # As a form sent before this change: no copy, none queued.
    PdfCopy.objects.all().delete()
    pdf_tasks().delete()
    referrer = signed_in(member_of_public, run_tasks)
    url = f"/forms/sent/{submission.reference}/pdf/"

    # Someone else's request queues nothing (and is the 404 it always was).
    assert signed_in(second_professional, run_tasks).get(url).status_code == 404
    assert not pdf_tasks().exists()

    assert referrer.get(f"/forms/sent/{submission.reference}/").status_code == 200
    assert not pdf_tasks().exists()  # the page links to it; only asking for it queues it
    assert referrer.get(url).status_code == 202
    assert referrer.get(url).status_code == 202
    assert pdf_tasks().count() == 1  # two requests before it is ready: one task

    run_pdf_tasks()
    downloaded(referrer.get(url))
    assert not pdf_tasks().exists()
    assert pdf_tasks("SUCCESSFUL").count() == 1


def test_the_stored_copy_is_deleted_with_its_submission(
    member_of_public, teams, run_pdf_tasks, django_capture_on_commit_callbacks
):
    submission = sent_feedback(member_of_public)
    run_pdf_tasks()
    stored_as = PdfCopy.objects.get(submission=submission).stored_as
    assert documents_storage().exists(stored_as)

    with django_capture_on_commit_callbacks(execute=True):
        Submission.objects.filter(pk=submission.pk).delete()

    assert not PdfCopy.objects.exists()
    assert not documents_storage().exists(stored_as)


def test_a_copy_whose_file_has_gone_is_made_again_not_a_500(
    member_of_public, teams, run_tasks, run_pdf_tasks
):
    submission = sent_feedback(member_of_public)
    run_pdf_tasks()
    documents_storage().delete(PdfCopy.objects.get(submission=submission).stored_as)
    referrer = signed_in(member_of_public, run_tasks)
    url = f"/forms/sent/{submission.reference}/pdf/"

    assert referrer.get(url).status_code == 202
    assert referrer.get(url).status_code == 202
    assert pdf_tasks().count() == 1

    run_pdf_tasks()
    downloaded(referrer.get(url))


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_the_pdf_queue_beside_the_emails(member_of_public, teams):
    """`manage.py worker`, as `make run` starts it, in its own process on the test database:
    it sends the emails and makes the copy, and stops its PDF worker when it stops."""
    submission = sent_feedback(member_of_public)
    url = worker_database_url()
    smtp = SMTPServer()
    smtp.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "frontdoor.settings_test",
        "DATABASE_URL": url,
        "EMAIL_URL": f"smtp://{smtp.host}:{smtp.port}",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120  # a wait for the worker, not a timing test
        while time.monotonic() < deadline and not (
            len(smtp.messages) == 2 and PdfCopy.objects.get(submission=submission).ready
        ):
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)  # it waits for its PDF worker to stop too
        smtp.stop()
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        [member_of_public.email, teams["feedback"].mailbox]
    )
    assert PdfCopy.objects.get(submission=submission).ready
    assert pdf_tasks("SUCCESSFUL").count() == 1
    assert worker.returncode == 0


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_for_an_old_forms_copy_queue_one_task(member_of_public, teams):
    import threading

    from django.db import connections

    from frontdoor.referrals.pdf import copy_of

    submission = sent_feedback(member_of_public)
    PdfCopy.objects.all().delete()  # as a form sent before copies were kept
    pdf_tasks().delete()
    start = threading.Barrier(2)
    errors = []

    def ask() -> None:
        try:
            start.wait()
            copy_of(Submission.objects.get(pk=submission.pk))
        except Exception as error:  # a 500 in one of the requests
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert PdfCopy.objects.filter(submission=submission).count() == 1
    assert pdf_tasks().count() == 1


def test_feedback_sent_without_an_account_gets_its_copy_for_the_team(
    client, feedback_staff, teams, run_tasks, run_pdf_tasks, tmp_path
):
    from frontdoor.referrals.tests.test_without_account import send

    assert "Feedback sent" in send(client).text
    submission = Submission.objects.get(owner=None)
    assert pdf_tasks().count() == 1  # queued with the sending

    run_pdf_tasks()
    team = signed_in(feedback_staff, run_tasks)
    text = pdf_text(downloaded(team.get(f"/team/{submission.reference}/pdf/")), tmp_path)
    assert "Sent without an account" in text
    assert "Nobody called me back" in text
