"""Attaching or removing a document, or saving the section, moves the draft's deletion date
and so brings a new deletion reminder before it (see referrals/tests/test_reminders.py)."""

from collections.abc import Callable

import pytest
from django.test import Client

from frontdoor.accounts.models import User
from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import UPLOAD_URL, upload
from frontdoor.referrals.tests.test_reminders import (
    assert_change_brings_a_new_reminder,
    start_draft,
)

pytestmark = pytest.mark.django_db


def with_a_document(client: Client) -> int:
    draft = start_draft(client, "social-care-referral")
    upload(client, draft, ("chronology.pdf", files.pdf()))
    assert Document.objects.filter(draft_id=draft).count() == 1
    return draft


def test_attaching_a_document_brings_a_new_reminder(
    professional: User, run_tasks: Callable[[], None]
) -> None:
    def change(client: Client, draft: int) -> None:
        upload(client, draft, ("assessment.docx", files.docx()))
        assert Document.objects.filter(draft_id=draft).count() == 2

    assert_change_brings_a_new_reminder(professional, run_tasks, with_a_document, change)


def test_removing_a_document_brings_a_new_reminder(
    professional: User, run_tasks: Callable[[], None]
) -> None:
    def change(client: Client, draft: int) -> None:
        document = Document.objects.get(draft_id=draft)
        response = client.post(UPLOAD_URL.format(draft=draft), {"remove": str(document.pk)})
        assert response.status_code == 302
        assert not Document.objects.filter(draft_id=draft).exists()

    assert_change_brings_a_new_reminder(professional, run_tasks, with_a_document, change)


def test_saving_the_documents_section_brings_a_new_reminder(
    professional: User, run_tasks: Callable[[], None]
) -> None:
    def change(client: Client, draft: int) -> None:
        response = client.post(UPLOAD_URL.format(draft=draft), {"continue": "1"})
        assert response["Location"] == f"/forms/draft/{draft}/"

    assert_change_brings_a_new_reminder(professional, run_tasks, with_a_document, change)
