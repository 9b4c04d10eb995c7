"""Who may upload and download: the professional owner uploads; the owner and the receiving
team's staff download; everyone else gets 403 (a non-professional's own draft) or 404."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from conftest import sign_in
from frontdoor.audit.models import AuditEvent
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import UPLOAD_URL, upload
from frontdoor.referrals.models import Draft, Submission
from frontdoor.referrals.services import definition_of

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    folder = Path(settings.STORAGES["documents"]["OPTIONS"]["location"])
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def client_for(user, run_tasks) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    sign_in(client, user, run_tasks)
    return client


def ready_to_send(draft_id: int) -> None:
    """Mark every section done (the answers themselves are tested in referrals)."""
    draft = Draft.objects.get(pk=draft_id)
    draft.completed = [s.slug for s in definition_of(draft.form_version).sections]
    draft.save()


def send(client: Client, draft_id: int) -> Submission:
    ready_to_send(draft_id)
    response = client.post(f"/forms/draft/{draft_id}/send/")
    assert response.status_code == 302, response
    return Submission.objects.get(draft_key=draft_id)


def test_a_non_professional_cannot_upload_to_their_own_draft(member_of_public, run_tasks):
    client = client_for(member_of_public, run_tasks)
    response = client.post("/forms/social-care-referral/")
    draft_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    before = set(os.listdir(os.environ.get("TMPDIR", "/tmp")))

    assert client.get(UPLOAD_URL.format(draft=draft_id)).status_code == 403
    response = upload(client, draft_id, ("chronology.pdf", files.pdf()))
    assert response.status_code == 403
    assert not Document.objects.exists()
    assert stored_files() == []
    leftover = set(os.listdir(os.environ.get("TMPDIR", "/tmp"))) - before
    assert not [name for name in leftover if name.endswith(".upload")]

    # Nor is the section offered: not on the task list, not on check your answers.
    task_list = client.get(f"/forms/draft/{draft_id}/").content.decode()
    assert "Supporting documentation" not in task_list
    assert (
        "Supporting documentation"
        not in client.get(f"/forms/draft/{draft_id}/check/").content.decode()
    )


def test_a_professional_sees_the_section_and_its_limits(professional_client, draft):
    task_list = professional_client.get(f"/forms/draft/{draft}/").content.decode()
    assert "Supporting documentation" in task_list
    page = professional_client.get(UPLOAD_URL.format(draft=draft)).content.decode()
    for words in (
        "Word documents (.doc or .docx), PDFs, and JPG or PNG images",
        "20MB",
        "100MB",
        "up to 20 files",
        "Upload Document",
    ):
        assert words in page
    assert 'enctype="multipart/form-data"' in page


def test_nobody_uploads_to_someone_elses_draft(
    professional_client, draft, second_professional, member_of_public, run_tasks, client
):
    for other in (
        client_for(second_professional, run_tasks),
        client_for(member_of_public, run_tasks),
    ):
        assert other.get(UPLOAD_URL.format(draft=draft)).status_code == 404
        assert upload(other, draft, ("chronology.pdf", files.pdf())).status_code == 404
    response = upload(client, draft, ("chronology.pdf", files.pdf()), follow=False)  # signed out
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
    assert not Document.objects.exists()
    assert stored_files() == []


def test_removing_someone_elses_document_does_nothing(
    professional_client, draft, second_professional, run_tasks
):
    upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    document = Document.objects.get()
    other = client_for(second_professional, run_tasks)
    other_draft = int(
        other.post("/forms/social-care-referral/")["Location"].rstrip("/").rsplit("/", 1)[1]
    )
    upload(other, other_draft, ("theirs.pdf", files.pdf("Theirs")))
    theirs = Document.objects.get(draft=other_draft)
    # Their own draft's page, naming a document that is not on it: nothing removed.
    response = other.post(UPLOAD_URL.format(draft=other_draft), {"remove": str(document.pk)})
    assert response.status_code == 302
    assert Document.objects.filter(pk=document.pk).exists()
    assert documents_storage().exists(document.stored_as)
    # The same request naming their own document removes it: the field is what differs.
    response = other.post(UPLOAD_URL.format(draft=other_draft), {"remove": str(theirs.pk)})
    assert response.status_code == 302
    assert not Document.objects.filter(pk=theirs.pk).exists()
    assert Document.objects.filter(pk=document.pk).exists()


def download_headers_are_safe(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


def test_downloads_for_the_owner_and_the_receiving_team_only(
    professional_client,
    draft,
    professional,
    second_professional,
    mash_staff,
    early_help_staff,
    run_tasks,
    client,
):
    data = files.pdf("A chronology")
    upload(professional_client, draft, ("chronology.pdf", data))
    document = Document.objects.get()
    draft_url = f"/forms/draft/{draft}/file/{document.pk}/"

    response = professional_client.get(draft_url)
    download_headers_are_safe(response)
    assert b"".join(response.streaming_content) == data
    assert 'filename="chronology.pdf"' in response["Content-Disposition"]

    mash = client_for(mash_staff, run_tasks)
    early_help = client_for(early_help_staff, run_tasks)
    colleague = client_for(second_professional, run_tasks)
    for other in (colleague, mash, early_help):
        assert other.get(draft_url).status_code == 404  # a draft is its owner's alone
    assert client.get(draft_url)["Location"].startswith("/account/sign-in/")

    submission = send(professional_client, draft)
    document.refresh_from_db()
    assert document.draft is None
    assert document.submission == submission
    assert professional_client.get(draft_url).status_code == 404  # the draft is gone

    sent_url = f"/forms/sent/{submission.reference}/file/{document.pk}/"
    team_url = f"/team/{submission.reference}/file/{document.pk}/"
    download_headers_are_safe(professional_client.get(sent_url))
    download_headers_are_safe(mash.get(team_url))
    for other in (colleague, early_help):
        assert other.get(sent_url).status_code == 404
        assert other.get(team_url).status_code == 404
    assert mash.get(sent_url).status_code == 404  # staff use the team's address
    assert professional_client.get(team_url).status_code == 404
    # A document id under another submission's or draft's address: 404.
    other_draft = int(
        colleague.post("/forms/social-care-referral/")["Location"].rstrip("/").rsplit("/", 1)[1]
    )
    assert colleague.get(f"/forms/draft/{other_draft}/file/{document.pk}/").status_code == 404

    # The team's page and the referrer's page list it; the downloads were audited.
    assert "chronology.pdf" in mash.get(f"/team/{submission.reference}/").content.decode()
    assert (
        "chronology.pdf"
        in professional_client.get(f"/forms/sent/{submission.reference}/").content.decode()
    )
    downloads = AuditEvent.objects.filter(action="document.downloaded", object_id=str(document.pk))
    assert {e.actor_id for e in downloads} == {professional.pk, mash_staff.pk}
    assert downloads.count() == 3


def test_every_upload_and_refusal_is_audited_without_the_files_name(professional_client, draft):
    upload(professional_client, draft, ("Ava Smith chronology.pdf", files.pdf()))
    upload(professional_client, draft, ("Ava Smith photo.pdf", b"MZ" + bytes(200)))
    uploaded = AuditEvent.objects.get(action="document.uploaded")
    refused = AuditEvent.objects.get(action="document.refused")
    assert uploaded.detail["kind"] == "pdf"
    assert refused.detail["reason"] == "type"
    for event in (uploaded, refused):
        assert "Ava" not in str(event.detail)
