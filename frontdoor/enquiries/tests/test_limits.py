"""A referrer adds information to one sent referral at most ENQUIRY_ADDITIONS_PER_DAY
times in any 24 hours: each emails the team's mailbox, which nobody may flood. Past it
the pages say what happened, when they can add more and whom to phone if it is urgent;
what was typed stays a draft, to send later. Answers to the team's questions are not
counted, nor held back."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from frontdoor.accounts.models import User
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.enquiries import services
from frontdoor.enquiries.models import Enquiry
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.django_db

MASH = "mash@council.example"
AFTERNOON = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 2pm in London (GMT)
FATHER = "Ava's father is back"
LIMIT_SAID = (
    "You can send this from 3 March 2026 at 2:00pm: you have added information to this "
    "form 2 times in the last 24 hours"
)


def client_of(user: User) -> Client:
    # Signed in afresh at each time travelled to (a session ends after an idle hour).
    client = Client()
    client.force_login(user)
    return client


def add_url(submission) -> str:
    return f"/forms/information/{submission.reference}/add/"


def answer_url(enquiry: Enquiry) -> str:
    return f"/forms/information/{enquiry.case.submission.reference}/{enquiry.pk}/"


def to_mailbox(smtp_server: SMTPServer) -> int:
    return len([m for m in smtp_server.messages if m["To"] == MASH])


def test_added_information_is_limited_a_day_and_what_is_typed_stays_a_draft(
    professional, mash_staff, run_tasks, settings, smtp_server
):
    settings.MAILERS = smtp_server.mailers()
    settings.ENQUIRY_ADDITIONS_PER_DAY = 2
    with time_machine.travel(AFTERNOON - timedelta(hours=1), tick=False):
        submission = referral(professional)
        other = referral(professional)
    run_tasks()
    smtp_server.messages.clear()  # the referrals' own emails
    add = add_url(submission)
    for minute in (0, 10):
        with time_machine.travel(AFTERNOON + timedelta(minutes=minute), tick=False):
            sent = client_of(professional).post(add, {"answer": f"News {minute}", "send": "1"})
            assert sent.status_code == 302
    run_tasks()
    assert to_mailbox(smtp_server) == 2

    with time_machine.travel(AFTERNOON + timedelta(hours=3), tick=False):
        referrer = client_of(professional)
        # The sent form's page says so where "Add information" was.
        page = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
        said = (
            "You have added information to this form 2 times in the last 24 hours, which is "
            "as often as you can in a day. You can add more from 3 March 2026 at 2:00pm."
        )
        assert said in page
        assert f'href="{add}"' not in page
        # Starting another: a page saying what happened, when, and whom to phone.
        response = referrer.get(add)
        assert response.status_code == 200
        page = response.content.decode()
        assert "You cannot add more information yet" in page
        assert said in page
        assert "If it is urgent, phone us on 01632 960001 (Monday to Friday 9am to 5pm)" in page
        assert "Out of hours, phone the Emergency Duty Team on 01632 960002" in page
        assert 'name="answer"' not in page  # nothing to type, so nothing to lose
        assert not Enquiry.objects.filter(answered_at=None).exists()  # looking starts nothing

        # Sent from a page loaded before: refused, and what was typed is kept as a draft.
        response = referrer.post(add, {"answer": FATHER, "send": "1"})

        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page
        assert LIMIT_SAID in page
        assert "Ava&#x27;s father is back</textarea>" in page
        draft = Enquiry.objects.get(answered_at=None)
        assert (draft.kind, draft.answer) == (Enquiry.Kind.OFFERED, FATHER)
        again = referrer.post(answer_url(draft), {"answer": f"{FATHER} today", "send": "1"})
        assert LIMIT_SAID in again.content.decode()
        draft.refresh_from_db()
        assert (draft.answer, draft.answered_at) == (f"{FATHER} today", None)
        shown = referrer.get(answer_url(draft)).content.decode()
        assert "You cannot send more information yet" in shown
        assert "You can send this from 3 March 2026 at 2:00pm." in shown
        assert "What you have typed is saved as a draft until then." in shown
        assert (
            "Continue adding information"
            in referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
        )
        # Another referral of theirs is not held back.
        assert 'name="answer"' in referrer.get(add_url(other)).content.decode()
        # The team's own questions are answered as ever.
        question = services.ask_referrer(case_of(submission), "Which school?", mash_staff)
        assert referrer.post(answer_url(question), {"answer": "Riverside", "send": "1"})[
            "Location"
        ] == (f"/forms/sent/{submission.reference}/")
        assert Enquiry.objects.get(pk=question.pk).answered_at is not None
    run_tasks()
    assert to_mailbox(smtp_server) == 3  # the answer only

    # 24 hours after the first was sent, one more can go: the draft, as it was left.
    with time_machine.travel(AFTERNOON + timedelta(hours=24), tick=False):
        referrer = client_of(professional)
        assert "You cannot send" not in referrer.get(answer_url(draft)).content.decode()
        response = referrer.post(answer_url(draft), {"answer": f"{FATHER} today", "send": "1"})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.answered_at is not None
        page = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
        assert "You can add more from 3 March 2026 at 2:10pm." in page
    run_tasks()
    assert to_mailbox(smtp_server) == 4


def test_the_default_is_ten_a_day(professional, mash_staff):
    submission = referral(professional)
    for n in range(10):
        services.send_answer(services.start_adding(submission, professional), f"{n}", professional)
    left = services.start_adding(submission, professional)
    with pytest.raises(services.TooManyAdditions):
        services.send_answer(left, "eleventh", professional)
    assert Enquiry.objects.get(pk=left.pk).answered_at is None
    # Answers are never counted.
    question = services.ask_referrer(case_of(submission), "Which school?", mash_staff)
    assert services.send_answer(question, "Riverside", professional).answered_at is not None
