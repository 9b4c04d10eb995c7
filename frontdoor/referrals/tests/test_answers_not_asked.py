"""A form is sent with the answers to the questions it asked, and no others.

With JavaScript off every conditional question shows, and with it on a hidden question's
box is still posted: contact details typed (or prefilled) before choosing "send this
without your name" would otherwise travel with the feedback.
"""

import pytest
from django.http import QueryDict
from django.test import Client

from conftest import sign_in
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Submission

pytestmark = pytest.mark.django_db


def test_anonymous_feedback_is_sent_without_the_contact_details_typed(member_of_public, run_tasks):
    definition = registry.get("feedback")
    draft = drafts.start(member_of_public, definition)
    about = QueryDict(mutable=True)
    about.update(
        {
            "anonymous": "yes",
            "first_name": member_of_public.first_name,
            "last_name": member_of_public.last_name,
            "email": member_of_public.email,
            "telephone": "01632 960123",
        }
    )
    drafts.save_section(draft, definition.section("about-you"), about, loaded_revision=0)
    feedback = QueryDict(mutable=True)
    feedback.update({"kind": "complaint", "what_happened": "It went wrong"})
    drafts.save_section(draft, definition.section("your-feedback"), feedback, loaded_revision=0)
    client = Client()
    sign_in(client, member_of_public, run_tasks)
    assert client.post(f"/forms/draft/{draft.pk}/send/").status_code == 302

    sent = Submission.objects.get(owner=member_of_public).answers
    assert sent["about-you"] == {"anonymous": "yes"}
    assert sent["your-feedback"]["what_happened"] == "It went wrong"


def test_answers_to_questions_asked_are_all_sent(member_of_public, run_tasks):
    definition = registry.get("feedback")
    draft = drafts.start(member_of_public, definition)
    about = QueryDict(mutable=True)
    about.update(
        {"anonymous": "no", "first_name": "Sam", "last_name": "Jones", "email": "sam@example.org"}
    )
    drafts.save_section(draft, definition.section("about-you"), about, loaded_revision=0)
    feedback = QueryDict(mutable=True)
    feedback.update({"kind": "comment", "what_happened": "Fine"})
    drafts.save_section(draft, definition.section("your-feedback"), feedback, loaded_revision=0)
    client = Client()
    sign_in(client, member_of_public, run_tasks)
    assert client.post(f"/forms/draft/{draft.pk}/send/").status_code == 302

    sent = Submission.objects.get(owner=member_of_public).answers["about-you"]
    assert sent["anonymous"] == "no"
    assert (sent["first_name"], sent["last_name"], sent["email"]) == (
        "Sam",
        "Jones",
        "sam@example.org",
    )
