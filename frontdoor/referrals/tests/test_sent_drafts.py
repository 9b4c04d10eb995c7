"""Back after Send: a sent draft's pages say "This form has been sent", with its reference
and a link to it, to its owner; to anyone else they are the same 404 as any other id."""

import pytest
from django.test import Client

from conftest import sign_in
from frontdoor.audit.models import AuditEvent
from frontdoor.referrals.models import Submission
from frontdoor.referrals.tests.test_pages import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_client(member_of_public, run_tasks) -> Client:
    client = Client()
    sign_in(client, member_of_public, run_tasks)
    return client


def sent_feedback(client: Client) -> tuple[int, Submission]:
    draft = start(client, "feedback")
    client.post(f"/forms/draft/{draft}/about-you/", {"revision": "0", "anonymous": "yes"})
    client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "0", "kind": "comment", "what_happened": "Kind words"},
    )
    client.post(f"/forms/draft/{draft}/send/")
    return draft, Submission.objects.get(draft_key=draft)


def draft_pages(draft: int) -> list[str]:
    return [
        f"/forms/draft/{draft}/",
        f"/forms/draft/{draft}/your-feedback/",
        f"/forms/draft/{draft}/check/",
        f"/forms/draft/{draft}/delete/",
    ]


def test_back_after_send_says_the_form_has_been_sent_with_its_reference(public_client):
    draft, submission = sent_feedback(public_client)
    for url in draft_pages(draft):
        response = public_client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert '<h1 class="govuk-heading-l">This form has been sent</h1>' in page, url
        assert submission.reference in page
        assert f'href="/forms/sent/{submission.reference}/"' in page
        assert 'href="/forms/sent/"' in page  # View Submitted Forms
        assert "Kind words" not in page  # the answers are on the sent form's own page
    assert AuditEvent.objects.filter(
        action="submission.viewed", object_id=str(submission.pk), detail__page="draft_sent"
    ).count() == len(draft_pages(draft))


def test_a_sent_drafts_pages_are_404_to_anyone_else(public_client, professional, run_tasks):
    draft, submission = sent_feedback(public_client)
    other = Client()
    sign_in(other, professional, run_tasks)
    for url in draft_pages(draft):
        response = other.get(url)
        assert response.status_code == 404, url
        assert submission.reference not in response.content.decode()


def test_a_post_to_a_sent_drafts_section_changes_nothing(public_client):
    draft, submission = sent_feedback(public_client)
    response = public_client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "1", "kind": "comment", "what_happened": "Changed"},
    )
    assert response.status_code == 404
    assert Submission.objects.get(pk=submission.pk).answers["your-feedback"]["what_happened"] == (
        "Kind words"
    )
