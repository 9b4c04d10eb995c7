"""Documents stay with their draft, go with it when it is sent, and go when it goes."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import sign_in
from frontdoor.audit.models import AuditEvent
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import UPLOAD_URL, upload
from frontdoor.documents.tests.test_access import send
from frontdoor.referrals import drafts
from frontdoor.referrals.models import Draft

pytestmark = pytest.mark.django_db


def test_several_files_are_listed_with_name_size_and_remove(professional_client, draft):
    response = upload(
        professional_client,
        draft,
        ("chronology.pdf", files.pdf()),
        ("assessment.docx", files.docx()),
        ("photo.jpg", files.image("JPEG")),
        follow=True,
    )
    page = response.content.decode()
    assert "‘chronology.pdf’, ‘assessment.docx’, ‘photo.jpg’ have been uploaded." in page
    for name, kind in (
        ("chronology.pdf", "PDF"),
        ("assessment.docx", "Word document"),
        ("photo.jpg", "JPG image"),
    ):
        assert name in page
        assert kind in page
    assert page.count(">Remove<span") == 3
    assert Document.objects.filter(draft_id=draft).count() == 3


def test_remove_deletes_the_stored_file(
    professional_client, draft, django_capture_on_commit_callbacks
):
    upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    document = Document.objects.get()
    assert documents_storage().exists(document.stored_as)
    with django_capture_on_commit_callbacks(execute=True):
        response = professional_client.post(
            UPLOAD_URL.format(draft=draft), {"remove": str(document.pk)}, follow=True
        )
    assert "‘chronology.pdf’ has been removed." in response.content.decode()
    assert not Document.objects.exists()
    assert not documents_storage().exists(document.stored_as)
    assert AuditEvent.objects.filter(action="document.removed", object_id=str(document.pk)).exists()


def test_nothing_chosen_says_select_a_file(professional_client, draft):
    response = professional_client.post(
        UPLOAD_URL.format(draft=draft), {"upload": "1"}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#documents">Select a file to upload' in page


def test_a_refused_file_keeps_the_ones_accepted_with_it(professional_client, draft):
    response = upload(
        professional_client,
        draft,
        ("chronology.pdf", files.pdf()),
        ("virus.pdf", files.eicar_pdf()),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "‘virus.pdf’ contains a virus" in page
    assert "chronology.pdf" in page  # listed under Files added
    assert Document.objects.get().name == "chronology.pdf"


def test_the_section_is_optional_and_save_and_continue_completes_it(professional_client, draft):
    task_list = professional_client.get(f"/forms/draft/{draft}/").content.decode()
    assert "Supporting documentation" in task_list
    response = professional_client.post(UPLOAD_URL.format(draft=draft), {"continue": "1"})
    assert response["Location"] == f"/forms/draft/{draft}/"
    assert "documents" in Draft.objects.get(pk=draft).completed
    response = professional_client.post(
        UPLOAD_URL.format(draft=draft) + "?return=check", {"continue": "1"}
    )
    assert response["Location"] == f"/forms/draft/{draft}/check/"


def test_a_recovered_draft_still_has_its_documents(
    professional_client, professional, run_tasks, draft
):
    upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    response = professional_client.post(UPLOAD_URL.format(draft=draft), {"later": "1"})
    assert response["Location"] == "/forms/recover/"
    professional_client.post("/account/sign-out/")
    again = Client()
    sign_in(again, professional, run_tasks)
    assert f"/forms/draft/{draft}/" in again.get("/forms/recover/").content.decode()
    assert "chronology.pdf" in again.get(UPLOAD_URL.format(draft=draft)).content.decode()
    assert "chronology.pdf" in again.get(f"/forms/draft/{draft}/check/").content.decode()


def test_documents_move_into_the_submission(professional_client, draft):
    upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    document = Document.objects.get()
    submission = send(professional_client, draft)
    document.refresh_from_db()
    assert (document.draft_id, document.submission_id) == (None, submission.pk)
    assert documents_storage().exists(document.stored_as)


def test_an_expired_draft_takes_its_files_with_it(
    professional_client, draft, django_capture_on_commit_callbacks
):
    upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    document = Document.objects.get()
    Draft.objects.filter(pk=draft).update(saved_at=timezone.now() - datetime.timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert drafts.delete_expired() == 1
    assert not Document.objects.exists()
    assert not documents_storage().exists(document.stored_as)


def test_a_deleted_draft_takes_its_files_with_it(
    professional_client, draft, django_capture_on_commit_callbacks
):
    upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    document = Document.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        professional_client.post(f"/forms/draft/{draft}/delete/")
    assert not documents_storage().exists(document.stored_as)


def test_an_upload_keeps_the_draft_alive(professional_client, draft):
    Draft.objects.filter(pk=draft).update(saved_at=timezone.now() - datetime.timedelta(days=20))
    upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    assert Draft.objects.get(pk=draft).saved_at > timezone.now() - datetime.timedelta(minutes=1)


def test_the_limits_on_files_per_form(professional_client, draft, settings):
    settings.DOCUMENTS_MAX_FILES = 2
    response = upload(
        professional_client,
        draft,
        ("one.pdf", files.pdf()),
        ("two.png", files.image()),
        ("three.pdf", files.pdf()),
    )
    assert response.status_code == 200
    assert (
        "‘three.pdf’ was not attached: a form can have up to 2 files" in response.content.decode()
    )
    assert Document.objects.count() == 2
    page = professional_client.get(UPLOAD_URL.format(draft=draft)).content.decode()
    assert "Remove a file to add another" in page


def test_the_limits_on_size(professional_client, draft, settings):
    settings.DOCUMENT_MAX_MB = 1
    settings.DOCUMENTS_MAX_TOTAL_MB = 1
    big = files.pdf_with_stream(b"0" * (1024 * 1024 + 10))
    response = upload(professional_client, draft, ("big.pdf", big), ("small.pdf", files.pdf()))
    page = response.content.decode()
    assert response.status_code == 200
    assert "‘big.pdf’ must be smaller than 1MB" in page
    assert Document.objects.get().name == "small.pdf"
    half = files.pdf_with_stream(b"0" * (600 * 1024))
    assert (
        "has been uploaded"
        in upload(professional_client, draft, ("half.pdf", half)).content.decode()
    )
    response = upload(professional_client, draft, ("other half.pdf", half))
    page = response.content.decode()
    assert (
        "‘other half.pdf’ was not attached: a form&#x27;s files must add up to less than 1MB"
        in page
    )
    assert Document.objects.count() == 2


def test_the_same_file_twice_is_attached_once(professional_client, draft):
    data = files.pdf("Chronology")
    upload(professional_client, draft, ("chronology.pdf", data))
    page = upload(professional_client, draft, ("chronology (1).pdf", data)).content.decode()
    assert "‘chronology (1).pdf’ is already attached to this form" in page
    assert Document.objects.count() == 1


def test_what_an_upload_did_is_shown_once(professional_client, draft):
    first = upload(professional_client, draft, ("virus.pdf", files.eicar_pdf()))
    shown = first.content.decode()
    assert first.redirect_chain == [(UPLOAD_URL.format(draft=draft), 302)]
    assert "There is a problem" in shown
    assert "‘virus.pdf’ contains a virus" in shown
    again = professional_client.get(UPLOAD_URL.format(draft=draft)).content.decode()
    # A refresh neither repeats nor re-sends it.
    assert "There is a problem" not in again
    assert "virus.pdf" not in again


def test_saving_with_a_file_chosen_uploads_it_first(professional_client, draft):
    response = professional_client.post(
        UPLOAD_URL.format(draft=draft),
        {"continue": "1", "documents": [SimpleUploadedFile("plan.pdf", files.pdf("Plan"))]},
    )
    assert response["Location"] == f"/forms/draft/{draft}/"
    assert Document.objects.get().name == "plan.pdf"

    # A refused file keeps the person on the page, with the reason; nothing is lost.
    response = professional_client.post(
        UPLOAD_URL.format(draft=draft),
        {"later": "1", "documents": [SimpleUploadedFile("setup.pdf", b"MZ" + bytes(100))]},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == UPLOAD_URL.format(draft=draft)
    assert "‘setup.pdf’ must be a Word document" in page
    assert "plan.pdf" in page


def test_a_section_with_a_file_is_completed_on_the_task_list(professional_client, draft):
    upload(professional_client, draft, ("plan.pdf", files.pdf("Plan")))
    task_list = professional_client.get(f"/forms/draft/{draft}/").content.decode()
    item = task_list[task_list.index("Supporting documentation") :]
    assert "Completed" in item[: item.index("</li>")]


def test_a_very_long_extension_is_no_trouble(professional_client, draft):
    page = upload(professional_client, draft, ("child." + "x" * 250, files.pdf("Long")))
    assert "has been uploaded" in page.content.decode()
    assert Document.objects.get().kind == "pdf"


def test_an_uploads_result_is_shown_on_its_own_draft_only(professional_client, draft):
    other = int(professional_client.post("/forms/social-care-referral/")["Location"].split("/")[3])
    professional_client.post(
        UPLOAD_URL.format(draft=draft),
        {"upload": "1", "documents": [SimpleUploadedFile("plan.pdf", files.pdf("Plan"))]},
    )
    assert (
        "plan.pdf" not in professional_client.get(UPLOAD_URL.format(draft=other)).content.decode()
    )
    assert (
        "‘plan.pdf’ has been uploaded"
        in professional_client.get(UPLOAD_URL.format(draft=draft)).content.decode()
    )


def test_a_draft_sent_while_a_file_was_checked_keeps_nothing(professional, draft):
    from frontdoor.documents import services
    from frontdoor.documents.tests.test_access import stored_files

    stale = Draft.objects.get(pk=draft)
    Draft.objects.filter(pk=draft).delete()  # sent or deleted in another window
    with pytest.raises(services.DraftGone):
        services.attach(stale, professional, SimpleUploadedFile("plan.pdf", files.pdf("Plan")))
    assert stored_files() == []


def test_removing_a_document_of_a_sent_form_does_nothing(
    professional, professional_client, draft, django_capture_on_commit_callbacks
):
    from frontdoor.documents import services

    upload(professional_client, draft, ("plan.pdf", files.pdf("Plan")))
    stale = Document.objects.get()  # loaded for "Remove" ...
    submission = send(professional_client, draft)  # ... while the form is sent
    with django_capture_on_commit_callbacks(execute=True):
        services.remove(stale, professional)
    assert Document.objects.get().submission == submission
    assert documents_storage().exists(stale.stored_as)


def test_two_different_files_with_one_name_are_told_apart(professional_client, draft):
    upload(professional_client, draft, ("chronology.pdf", files.pdf("First")))
    page = upload(professional_client, draft, ("chronology.pdf", files.pdf("Second")))
    assert "‘chronology (2).pdf’ has been uploaded." in page.content.decode()
    assert sorted(Document.objects.values_list("name", flat=True)) == [
        "chronology (2).pdf",
        "chronology.pdf",
    ]
