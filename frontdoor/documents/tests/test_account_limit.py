"""The documents one account may store, on its drafts and on its sent forms the portal
still holds: at most ACCOUNT_DOCUMENTS_MAX_MB, through the real upload path (examined and
scanned). A file over the limit is refused with what to do; the files with it are kept."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import UPLOAD_URL, upload
from frontdoor.documents.tests.test_access import send, stored_files

pytestmark = pytest.mark.django_db

KB = 1024


def new_draft(client: Client) -> int:
    response = client.post("/forms/social-care-referral/")
    match = re.match(r"^/forms/draft/(\d+)/$", response["Location"])
    assert match, response
    return int(match.group(1))


def test_an_accounts_documents_are_limited_across_its_drafts_and_sent_forms(
    professional_client, second_professional, settings
):
    settings.ACCOUNT_DOCUMENTS_MAX_MB = 1
    first = new_draft(professional_client)
    upload(professional_client, first, ("chronology.pdf", files.pdf_with_stream(b"1" * 600 * KB)))
    send(professional_client, first)  # its documents still count while the portal holds them

    second = new_draft(professional_client)
    response = upload(
        professional_client,
        second,
        ("assessment.pdf", files.pdf_with_stream(b"2" * 600 * KB)),
        ("letter.pdf", files.pdf("A letter")),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert (
        "‘assessment.pdf’ was not attached: your account can store up to 1MB of documents, "
        "and 0.6MB is used by your drafts and sent forms. Remove documents you no longer "
        "need from your drafts, or delete drafts in Recover a form, then upload it again"
    ) in page
    assert "‘letter.pdf’ has been uploaded" in page  # the file that fits is kept
    assert sorted(Document.objects.values_list("name", flat=True)) == [
        "chronology.pdf",
        "letter.pdf",
    ]
    assert len(stored_files()) == 2  # nothing stored for the refused file

    # Another account has its own allowance.
    other = Client()
    other.force_login(second_professional)
    theirs = new_draft(other)
    page = upload(other, theirs, ("report.pdf", files.pdf_with_stream(b"3" * 600 * KB)))
    assert "‘report.pdf’ has been uploaded" in page.content.decode()

    # Removing a file makes room again.
    letter = Document.objects.get(name="letter.pdf")
    professional_client.post(UPLOAD_URL.format(draft=second), {"remove": str(letter.pk)})
    page = upload(
        professional_client, second, ("small.pdf", files.pdf_with_stream(b"4" * 300 * KB))
    )
    assert "‘small.pdf’ has been uploaded" in page.content.decode()


def test_the_account_limit_is_200mb_by_default(settings):
    from frontdoor.documents.services import refusal_message

    assert settings.ACCOUNT_DOCUMENTS_MAX_MB == 200
    assert "can store up to 200MB of documents" in refusal_message("a.pdf", "account_full")


@pytest.mark.django_db(transaction=True)
def test_two_uploads_at_once_to_two_drafts_do_not_pass_the_account_limit(professional, settings):
    """Each fits alone, not both: one is attached and one refused, whichever comes first."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what this proves: PostgreSQL only (CI runs it there)")
    settings.ACCOUNT_DOCUMENTS_MAX_MB = 1
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(professional)
    targets = [new_draft(client) for client in clients]
    pages: list[object] = []
    barrier = threading.Barrier(len(clients))

    def upload_it(client: Client, draft: int, fill: bytes) -> None:
        from django.db import connections

        barrier.wait()
        try:
            pages.append(upload(client, draft, ("half.pdf", files.pdf_with_stream(fill))))
        except Exception as error:
            pages.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=upload_it, args=(client, draft, bytes([48 + n]) * 600 * KB))
        for n, (client, draft) in enumerate(zip(clients, targets, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    texts = [p.content.decode() for p in pages]  # type: ignore[union-attr]
    assert sum("has been uploaded" in t for t in texts) == 1
    assert sum("your account can store up to 1MB" in t for t in texts) == 1
    assert Document.objects.count() == 1
    assert len(stored_files()) == 1
