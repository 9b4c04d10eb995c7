"""A referral's documents and its PDF copy through the API: listed in the detail with
their digests, streamed with Repr-Digest, scoped to the client (another team's, another
referral's: 404), audited; in local storage and in S3 (moto's server)."""

import base64
import hashlib
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontdoor.api.tests.conftest import System, assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.cases.models import Case
from frontdoor.documents import services as documents
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from frontdoor.documents.tests.test_s3 import Bucket
from frontdoor.documents.tests.test_s3 import bucket as bucket  # a fixture
from frontdoor.enquiries import services as enquiries
from frontdoor.referrals.models import PdfCopy, Submission
from frontdoor.referrals.submissions import submit
from tests.sending import fill

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"


def one(reference: str) -> str:
    return f"{LIST}/{reference}"


def send_with(user: Any, slug: str, *named: tuple[str, bytes]) -> Submission:
    """Send a form with these files attached, through the real checks and clamd."""
    draft = fill(user, slug)
    for name, data in named:
        attached = documents.attach(draft, user, SimpleUploadedFile(name, data))
        assert isinstance(attached, Document), attached
    return submit(draft.pk, user)


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def repr_digest(data: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(data).digest()).decode() + ":"


def test_documents_are_listed_with_digests_and_download_links_that_stream_them(
    professional, social_care_system
):
    chronology = files.pdf("A chronology of events", pages=2)
    photo = files.image("PNG")
    sent = send_with(
        professional,
        "social-care-referral",
        ("chronology.pdf", chronology),
        ('"school" report;.png', photo),
    )

    listed = social_care_system.get(one(sent.reference)).json()["documents"]

    stored = {d.name: d for d in Document.objects.filter(submission=sent)}
    assert [d["name"] for d in listed] == ["chronology.pdf", '"school" report;.png']
    for item in listed:
        document = stored[item["name"]]
        assert item["id"] == str(document.pk)
        assert item["type"] == document.mime_type
        assert item["size"] == document.size
        assert item["sha256"] == document.sha256
        assert item["scanned"] is True
        assert item["sent_with"] == "referral"
        assert item["download"] == (
            f"http://testserver/api/v1/referrals/{sent.reference}/documents/{document.pk}"
        )
        assert "stored_as" not in item
        assert document.stored_as not in str(item)

    response = social_care_system.get(listed[0]["download"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response.streaming  # streamed from storage, never read whole into memory
    data = body_of(response)
    assert data == chronology
    assert hashlib.sha256(data).hexdigest() == listed[0]["sha256"]
    assert response["Repr-Digest"] == repr_digest(chronology)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(chronology))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"chronology.pdf\"; filename*=UTF-8''chronology.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"

    # A name that could break the header is made safe (its ASCII fallback quoted cleanly).
    response = social_care_system.get(listed[1]["download"].removeprefix("http://testserver"))
    assert body_of(response) == photo
    assert response["Repr-Digest"] == repr_digest(photo)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith('attachment; filename="_school_ report_.png"')


def test_a_document_is_404_to_another_team_and_under_another_referral(
    professional, social_care_system, lado_system
):
    social = send_with(professional, "social-care-referral", ("plan.pdf", files.pdf("Plan")))
    other = send_with(professional, "social-care-referral", ("other.pdf", files.pdf("Other")))
    lado = send_with(professional, "lado-referral", ("lado.pdf", files.pdf("LADO")))
    document = Document.objects.get(submission=social)
    path = f"{one(social.reference)}/documents/{document.pk}"

    assert social_care_system.get(path).status_code == 200
    # The LADO system: the referral is not its, so neither is the document or the PDF.
    theirs = lado_system.get(path)
    assert_problem(theirs, 404)
    assert theirs.content == lado_system.get(one("FD-2026-999999")).content
    assert_problem(lado_system.get(f"{one(social.reference)}/pdf"), 404)
    # Another referral's document id, asked under this one's reference: 404.
    elsewhere = Document.objects.get(submission=other)
    assert_problem(social_care_system.get(f"{one(social.reference)}/documents/{elsewhere.pk}"), 404)
    assert_problem(social_care_system.get(f"{one(social.reference)}/documents/{uuid.uuid4()}"), 404)
    lado_document = Document.objects.get(submission=lado)
    assert_problem(
        social_care_system.get(f"{one(lado.reference)}/documents/{lado_document.pk}"), 404
    )
    assert_problem(social_care_system.get(f"{one(social.reference)}/documents/not-a-uuid"), 422)

    events = AuditEvent.objects.filter(action__startswith="api.document").order_by("id")
    assert [(e.action, e.reference) for e in events] == [
        ("api.document.downloaded", social.reference),
        ("api.document.not_found", social.reference),  # the LADO system's
        ("api.document.not_found", social.reference),
        ("api.document.not_found", social.reference),
        ("api.document.not_found", lado.reference),
    ]
    assert events[0].detail["document"] == str(document.pk)
    assert events[0].detail["client"] == social_care_system.client_row.pk
    assert events[1].detail["client"] == lado_system.client_row.pk


def test_documents_the_referrer_sent_later_are_listed_once_sent(
    professional, mash_staff, social_care_system
):
    sent = send_with(professional, "social-care-referral", ("first.pdf", files.pdf("First")))
    case = Case.objects.get(submission=sent)
    question = enquiries.ask_referrer(case, "Could you send the latest plan?", mash_staff)
    later = files.pdf("The latest plan")
    attached = enquiries.attach(question, professional, SimpleUploadedFile("plan.pdf", later))
    assert isinstance(attached, Document)
    before = social_care_system.get(one(sent.reference))

    # A draft answer's document is not the council's yet.
    assert [d["name"] for d in before.json()["documents"]] == ["first.pdf"]
    enquiries.send_answer(question, "Here it is.", professional)

    after = social_care_system.get(one(sent.reference)).json()
    assert [(d["name"], d["sent_with"]) for d in after["documents"]] == [
        ("first.pdf", "referral"),
        ("plan.pdf", "information"),
    ]
    assert after["etag"] != before.json()["etag"]  # what the detail says has changed
    response = social_care_system.get(after["documents"][1]["download"][len("http://testserver") :])
    assert body_of(response) == later
    assert response["Repr-Digest"] == repr_digest(later)
    # The question and the answer's text are the team's correspondence: not in the API.
    assert "latest plan?" not in str(after)
    assert "Here it is" not in str(after)


def test_the_pdf_copy_is_streamed_with_its_digest_once_made(
    professional, social_care_system, lado_system, run_pdf_tasks
):
    sent = send_with(professional, "social-care-referral")
    path = f"{one(sent.reference)}/pdf"

    waiting = social_care_system.get(path)
    assert waiting.status_code == 202
    assert waiting["Retry-After"] == "60"
    assert "being made" in waiting.json()["detail"]

    run_pdf_tasks()
    copy = PdfCopy.objects.get(submission=sent)
    stored = documents_storage().open(copy.stored_as, "rb").read()
    assert copy.sha256 == hashlib.sha256(stored).hexdigest()  # kept when it was made
    response = social_care_system.get(path)
    assert response.status_code == 200
    assert response.streaming
    data = body_of(response)
    assert data == stored
    assert data.startswith(b"%PDF-")
    assert response["Repr-Digest"] == repr_digest(data)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{sent.reference}.pdf"'
    )
    # Another team's system: the same request, a 404 as for a referral never sent.
    theirs = lado_system.get(path)
    assert_problem(theirs, 404)
    assert theirs.content == lado_system.get(f"{one('FD-2026-999999')}/pdf").content
    actions = list(
        AuditEvent.objects.filter(action__startswith="api.pdf")
        .order_by("id")
        .values_list("action", "reference")
    )
    assert actions == [
        ("api.pdf.preparing", sent.reference),
        ("api.pdf.downloaded", sent.reference),
        ("api.pdf.not_found", sent.reference),  # the LADO system's
        ("api.pdf.not_found", "FD-2026-999999"),
    ]


def test_a_pdf_copy_made_before_digests_were_kept_gets_one_on_first_download(
    professional, social_care_system, run_pdf_tasks
):
    sent = send_with(professional, "social-care-referral")
    run_pdf_tasks()
    PdfCopy.objects.filter(submission=sent).update(sha256="")

    response = social_care_system.get(f"{one(sent.reference)}/pdf")

    data = body_of(response)
    assert response["Repr-Digest"] == repr_digest(data)
    assert PdfCopy.objects.get(submission=sent).sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.usefixtures("bucket")
def test_documents_and_the_pdf_come_from_s3(professional, social_care_system, request):
    bucket: Bucket = request.getfixturevalue("bucket")
    run_pdf_tasks = request.getfixturevalue("run_pdf_tasks")
    data = files.pdf("Kept in S3", pages=2)
    sent = send_with(professional, "social-care-referral", ("in-s3.pdf", data))
    document = Document.objects.get(submission=sent)
    assert (
        bucket.client.get_object(Bucket=bucket.name, Key=f"documents/{document.stored_as}")[
            "Body"
        ].read()
        == data
    )

    response = social_care_system.get(f"{one(sent.reference)}/documents/{document.pk}")
    assert body_of(response) == data
    assert response["Repr-Digest"] == repr_digest(data)
    assert response["Content-Length"] == str(len(data))

    run_pdf_tasks()
    response = social_care_system.get(f"{one(sent.reference)}/pdf")
    copy = PdfCopy.objects.get(submission=sent)
    pdf_bytes = body_of(response)
    assert (
        bucket.client.get_object(Bucket=bucket.name, Key=f"documents/{copy.stored_as}")[
            "Body"
        ].read()
        == pdf_bytes
    )
    assert response["Repr-Digest"] == repr_digest(pdf_bytes)


def queries(system: System, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert system.get(path).status_code == 200
    return len(captured)


def test_the_details_queries_do_not_grow_with_its_documents_or_history(
    professional, mash_staff, social_care_system
):
    from frontdoor.cases import services

    one_file = send_with(professional, "social-care-referral", ("a.pdf", files.pdf("A")))
    five = send_with(
        professional,
        "social-care-referral",
        *((f"{n}.pdf", files.pdf(f"Document {n}")) for n in range(5)),
    )
    for stage in ("screening", "decision", "screening", "decision"):
        services.move_to_stage(Case.objects.get(submission=five), stage, mash_staff)
    social_care_system.get(LIST)  # the token's last use is noted once a minute: not here

    few = queries(social_care_system, one(one_file.reference))
    body = social_care_system.get(one(five.reference)).json()
    assert len(body["documents"]) == 5
    assert len(body["history"]) == 5
    assert queries(social_care_system, one(five.reference)) == few


def test_the_schema_describes_the_downloads_and_their_digest_header():
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    document = paths["/api/v1/referrals/{reference}/documents/{document_id}"]["get"]
    answer = document["responses"]["200"]
    assert "application/pdf" in answer["content"]
    assert "image/png" in answer["content"]
    assert "Repr-Digest" in answer["headers"]
    assert {"401", "404", "422"} <= set(document["responses"])
    pdf = paths["/api/v1/referrals/{reference}/pdf"]["get"]["responses"]
    assert set(pdf["200"]["content"]) == {"application/pdf"}
    assert "202" in pdf
    detail = paths["/api/v1/referrals/{reference}"]["get"]["responses"]
    assert "304" in detail
