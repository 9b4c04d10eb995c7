"""The confirmation of feedback (page and email) promises a reply only when one was asked for."""

import html

import pytest
from django.core import mail
from django.http import QueryDict
from django.test import Client

from conftest import sign_in
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Submission

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def signed_in_feedback(user, run_tasks, **answers: str) -> tuple[Client, Submission]:

    definition = registry.get("feedback")
    draft = drafts.start(user, definition)
    about = QueryDict(mutable=True)
    about.update({"anonymous": answers.pop("anonymous", "no")})
    if about["anonymous"] == "no":
        about.update({"first_name": "Sam", "last_name": "Jones", "email": user.email})
    drafts.save_section(draft, definition.section("about-you"), about, loaded_revision=0)
    feedback = QueryDict(mutable=True)
    feedback.update({"kind": "complaint", "what_happened": "It went wrong", **answers})
    drafts.save_section(draft, definition.section("your-feedback"), feedback, loaded_revision=0)
    client = Client()
    sign_in(client, user, run_tasks)
    response = client.post(f"/forms/draft/{draft.pk}/send/")
    assert response.status_code == 302, response
    return client, Submission.objects.get(owner=user)


@pytest.mark.parametrize(
    ("answers", "said"),
    [
        ({"reply_wanted": "no"}, "You said you would not like a reply, so they will not reply."),
        ({}, "You did not ask for a reply, so they will not reply."),
        (
            {"anonymous": "yes", "reply_wanted": "yes"},
            "You sent it without your name and contact details, so they will not reply.",
        ),
    ],
)
def test_the_confirmation_promises_no_reply_when_none_was_asked_for(
    member_of_public, teams, run_tasks, answers, said
):
    client, submission = signed_in_feedback(member_of_public, run_tasks, **answers)
    page = text_of(client.get(f"/forms/sent/{submission.reference}/"))
    assert "Form sent" in page
    assert said in page
    assert "respond here" not in page
    run_tasks()
    received = next(
        m for m in mail.outbox if m.to == [member_of_public.email] and "received" in m.subject
    )
    assert "We will not reply to it." in received.body
    assert "the form and our response" not in received.body


def test_the_confirmation_promises_a_reply_when_one_was_asked_for(
    member_of_public, teams, run_tasks
):
    client, submission = signed_in_feedback(
        member_of_public, run_tasks, reply_wanted="yes", contact_preference="email"
    )
    page = text_of(client.get(f"/forms/sent/{submission.reference}/"))
    assert "The Feedback team will read your form and respond here" in page
    run_tasks()
    received = next(
        m for m in mail.outbox if m.to == [member_of_public.email] and "received" in m.subject
    )
    assert "the form and our response" in received.body
