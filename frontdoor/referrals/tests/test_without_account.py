"""Feedback without an account: one page, no draft, no reply, and no trace of the sender."""

import html
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from conftest import sign_in
from frontdoor.audit.models import AuditEvent
from frontdoor.referrals.models import Draft, Submission

pytestmark = pytest.mark.django_db

PAGE = "/forms/feedback/without-an-account/"
FEEDBACK = {
    "kind": "complaint",
    "what_happened": "Nobody called me back\r\nfor three weeks.",
    "when_0": "3",
    "when_1": "11",
    "when_2": "2026",
}


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def page_key(client: Client) -> str:
    page = client.get(PAGE).content.decode()
    match = re.search(r'name="page_key" value="([0-9a-f-]{36})"', page)
    assert match, "the page carries a one-time key"
    return match.group(1)


def send(client: Client, **data: str):
    return client.post(PAGE, {"page_key": page_key(client), **FEEDBACK, **data})


def test_the_feedback_start_page_offers_both_ways(client):
    page = client.get("/forms/feedback/").content.decode()
    assert f'href="{PAGE}"' in page
    assert "Give feedback without an account" in page
    assert "we cannot reply" in page
    assert "Log in or Register" in page


def test_the_home_page_says_feedback_needs_no_account(client, settings):
    page = text_of(client.get("/"))
    assert f'<a class="govuk-link" href="{PAGE}">give feedback without an account</a>' in page
    assert "we will not be able to reply" in page


def test_only_a_form_that_allows_it_can_be_sent_without_an_account(client):
    assert "without an account" not in client.get("/forms/social-care-referral/").content.decode()
    assert client.get("/forms/social-care-referral/without-an-account/").status_code == 404
    assert client.get("/forms/no-such-form/without-an-account/").status_code == 404


def test_the_page_says_no_reply_is_possible_and_asks_for_no_contact_details(client):
    page = text_of(client.get(PAGE))
    assert "we cannot reply to it" in page
    assert "What happened?" in page
    assert "What kind of feedback is it?" in page
    for asked_only_with_an_account in (
        "First name",
        "Email address",
        "Telephone",
        "Would you like a reply?",
        "How would you like us to reply?",
        "without your name and contact details?",
    ):
        assert asked_only_with_an_account not in page


def test_sending_without_an_account(client, teams, run_tasks):
    response = send(client)

    page = text_of(response)
    assert response.status_code == 200
    assert "Feedback sent" in page
    submission = Submission.objects.get()
    assert submission.reference in page
    assert "will not reply" in page
    assert submission.owner is None
    assert submission.draft_key is None
    assert submission.team_slug == "feedback"
    assert submission.answers == {
        "your-feedback": {
            "about_service": None,
            "kind": "complaint",
            "what_happened": "Nobody called me back\r\nfor three weeks.",
            "when": ["3", "11", "2026"],
            "what_would_you_like": None,
        }
    }
    assert submission.history.get().status == "received"
    assert not Draft.objects.exists()
    # No session was made or linked: nothing ties the sender's browser to it.
    assert not Session.objects.exists()
    event = AuditEvent.objects.get(action="submission.sent")
    assert event.object_id == str(submission.pk)
    assert event.actor_id is None
    assert event.actor_label == ""
    assert event.client_ip is None
    assert event.detail == {"form": "feedback", "without_account": True}

    run_tasks()
    assert len(mail.outbox) == 1  # the team's notice, and nobody else's
    notice = mail.outbox[0]
    assert notice.to == [teams["feedback"].mailbox]
    assert submission.reference in notice.body
    assert "Nobody called me back" not in notice.body


def test_sending_the_same_page_twice_makes_one_submission(client):
    key = page_key(client)
    first = client.post(PAGE, {"page_key": key, **FEEDBACK})
    again = client.post(PAGE, {"page_key": key, **FEEDBACK})
    submission = Submission.objects.get()
    assert submission.reference in text_of(first)
    assert submission.reference in text_of(again)


def test_a_mistake_is_shown_and_nothing_typed_is_lost(client):
    response = send(client, kind="", what_happened="It went \u202ewrong")
    page = text_of(response)
    assert response.status_code == 200
    assert "<title>Error: Give feedback without an account" in page  # "Error:" once
    assert "Select what kind of feedback is it" in page or "Answer the question" in page
    assert "(a right-to-left override was found)" in page
    assert "It went \u202ewrong" in page  # in the box, to correct
    assert 'value="2026"' in response.content.decode()
    assert not Submission.objects.exists()


def test_sends_are_limited_per_address_and_what_was_typed_is_kept(client, settings):
    settings.WITHOUT_ACCOUNT_SENDS_PER_HOUR = 2
    assert send(client).status_code == 200
    assert send(client).status_code == 200

    refused = send(client, what_happened="A third one, kept for later")

    page = text_of(refused)
    assert refused.status_code == 200
    assert "Error: Give feedback without an account" in page
    assert (
        "Too much feedback has been sent from this connection in the last hour. Try again later."
    ) in page
    assert "A third one, kept for later" in page
    assert Submission.objects.count() == 2
    # Another address is not held up by this one.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert "Feedback sent" in text_of(send(other))
    assert Submission.objects.count() == 3


def test_the_limit_lasts_to_the_end_of_the_clock_hour(client, settings):
    import datetime

    import time_machine

    settings.WITHOUT_ACCOUNT_SENDS_PER_HOUR = 1
    start = datetime.datetime(2026, 11, 3, 10, 5, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert "Feedback sent" in text_of(send(client))
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        assert "Try again later." in text_of(send(client))  # 10:55, the same hour
    with time_machine.travel(start + datetime.timedelta(minutes=56), tick=False):
        assert "Feedback sent" in text_of(send(client))  # 11:01, a new hour
    assert Submission.objects.count() == 2


def test_the_throttle_keeps_no_address(client, settings):
    from django.db import connection

    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("reads the database cache's table")
    send(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM frontdoor_cache")
        keys = [row[0] for row in cursor.fetchall()]
    # The count is kept under a keyed hash of the address, never the address.
    assert any("without-account:" in key for key in keys)
    assert not any("127.0.0.1" in key for key in keys)


def test_the_page_is_protected_from_cross_site_requests(teams):
    browser = Client(enforce_csrf_checks=True)
    forged = browser.post(PAGE, {"page_key": page_key(browser), **FEEDBACK})
    assert forged.status_code == 403
    assert not Submission.objects.exists()

    page = browser.get(PAGE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    key = re.search(r'name="page_key" value="([^"]+)"', page).group(1)
    sent = browser.post(PAGE, {"csrfmiddlewaretoken": token, "page_key": key, **FEEDBACK})
    assert sent.status_code == 200
    assert Submission.objects.count() == 1


def test_staff_see_no_sender_and_cannot_write_a_response(
    client,
    teams,
    feedback_staff,
    run_tasks,
    run_pdf_tasks,
):
    send(client)
    submission = Submission.objects.get()
    staff = Client()
    sign_in(staff, feedback_staff, run_tasks)
    mail.outbox.clear()

    page = text_of(staff.get(f"/team/{submission.reference}/"))
    assert "Sent without an account. Nobody knows who sent it" in page
    assert "Nobody called me back" in page
    assert "Response for the referrer" not in page
    assert submission.reference in text_of(staff.get("/team/"))

    decide = f"/team/{submission.reference}/decide/"
    assert "Response for the referrer" not in text_of(staff.get(decide, {"outcome": "responded"}))
    recorded = staff.post(
        decide, {"decide-outcome": "responded", "decide-version": submission.case.version}
    )
    assert recorded.status_code == 302
    assert submission.history.last().status == "responded"
    run_tasks()
    assert mail.outbox == []  # nobody to tell

    run_pdf_tasks()  # the copy is made by the PDF queue's worker
    pdf = staff.get(f"/team/{submission.reference}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
