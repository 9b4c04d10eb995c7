"""A PDF copy of a sent form: tagged (PDF/UA-1), so screen readers can read it too.

A large form takes seconds of CPU to lay out, so a copy is made once, by the task worker
on its own queue ("pdf", so it never holds up a sign-in code or a team's notice), and kept
in the private "documents" storage; a request only streams the stored file. The copy is
queued when the form is sent (in submit()'s transaction); a form sent before copies were
kept gets its copy queued on the first request for it. Until the copy is ready, the
request gets a page saying so.

The copy holds the form exactly as it was sent, which never changes; its status and the
council's responses, which do, are on the portal's pages only.
"""

import datetime
import hashlib
import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from frontdoor.audit.services import record
from frontdoor.documents.storage import documents_storage
from frontdoor.referrals.models import PdfCopy, Submission
from frontdoor.referrals.presenting import submission_context

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"
QUEUE = "pdf"
# A copy still not made this long after it was queued (its task failed, or was lost) is
# queued again by the next request for it.
REQUEUE_AFTER = datetime.timedelta(minutes=15)


def submission_pdf(submission: Submission) -> bytes:
    # Imported here: WeasyPrint takes a while to load, and only this needs it.
    from weasyprint import CSS, HTML

    html = render_to_string(
        "referrals/pdf.html", {"council": settings.COUNCIL, **submission_context(submission)}
    )
    document = HTML(string=html, base_url=str(STYLESHEET.parent))
    pdf: bytes = document.write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant="pdf/ua-1"
    )
    return pdf


@task(queue_name=QUEUE)
def make_copy(submission_id: int) -> None:
    """Make and store a submission's copy, unless it is made already or the form is gone."""
    copy = (
        PdfCopy.objects.select_related("submission__form_version").filter(pk=submission_id).first()
    )
    if copy is None or copy.ready:
        return
    content = submission_pdf(copy.submission)
    storage = documents_storage()
    now = timezone.now()
    stored_as = storage.save(f"copies/{now:%Y/%m}/{uuid.uuid4().hex}", ContentFile(content))
    try:
        made = PdfCopy.objects.filter(pk=submission_id, stored_as="").update(
            stored_as=stored_as,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            made_at=now,
        )
    except BaseException:
        storage.delete(stored_as)  # nothing half-stored
        raise
    if not made:
        storage.delete(stored_as)  # deleted meanwhile, or a second task got there first


def queue_copy(submission: Submission) -> None:
    """Queue the copy of a form being sent: call inside the transaction that sends it."""
    PdfCopy.objects.create(submission=submission)
    make_copy.enqueue(submission.pk)


def copy_of(submission: Submission) -> PdfCopy:
    """The submission's copy, queued now if it never was (sent before copies were kept), or
    again if it has waited too long. Two requests at once queue one task, not two."""
    with transaction.atomic():
        copy, created = PdfCopy.objects.get_or_create(submission=submission)
        if created:
            make_copy.enqueue(submission.pk)
            return copy
    if not copy.ready and copy.queued_at < timezone.now() - REQUEUE_AFTER:
        with transaction.atomic():
            now = timezone.now()
            # Only the request whose update wins queues it again.
            if PdfCopy.objects.filter(pk=copy.pk, stored_as="", queued_at=copy.queued_at).update(
                queued_at=now
            ):
                logger.warning("PDF copy of submission %s queued again", submission.pk)
                make_copy.enqueue(submission.pk)
    return copy


def copy_if_any(submission: Submission) -> PdfCopy | None:
    """The copy as it stands, for a page to link to (never queues one)."""
    return PdfCopy.objects.filter(submission=submission).first()


def pdf_response(
    request: HttpRequest, submission: Submission, *, page_url: str, **audit: Any
) -> HttpResponse | FileResponse:
    """The stored copy as a download, audited (with `audit` in the event's detail); while it
    is being made, a page that says so and links back to the form's page (`page_url`).
    Callers have already scoped the submission to the person asking."""
    copy = copy_of(submission)
    if copy.ready:
        try:
            file = documents_storage().open(copy.stored_as, "rb")
        except FileNotFoundError:
            _remake(copy)
        else:
            record("submission.pdf_downloaded", request=request, obj=submission, **audit)
            response = FileResponse(file, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{submission.reference}.pdf"'
            # The headers of every download (documents/views.py): never run or shown inline.
            response["X-Content-Type-Options"] = "nosniff"
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
            response["Cross-Origin-Resource-Policy"] = "same-origin"
            response["Cache-Control"] = "private, no-store"
            return response
    context: dict[str, Any] = {
        "submission": submission,
        "pdf_url": request.path,
        "page_url": page_url,
    }
    # 202 Accepted: asked for, and on its way.
    return render(request, "referrals/pdf_preparing.html", context, status=202)


def _remake(copy: PdfCopy) -> None:
    # The stored file has gone (a storage restored from an older backup): make it again.
    logger.error("The stored PDF copy %s is missing: making it again", copy.stored_as)
    with transaction.atomic():
        if PdfCopy.objects.filter(pk=copy.pk, stored_as=copy.stored_as).update(
            stored_as="", size=None, sha256="", made_at=None, queued_at=timezone.now()
        ):
            make_copy.enqueue(copy.pk)


@receiver(post_delete, sender=PdfCopy)
def delete_stored_copy(sender: type[PdfCopy], instance: PdfCopy, **kwargs: Any) -> None:
    name = instance.stored_as
    if name:
        # Only once the deletion is committed: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: _delete(name), robust=True)


def _delete(name: str) -> None:
    try:
        documents_storage().delete(name)
    except Exception:
        # The row is gone; the file stays until someone removes it (the name is generated:
        # no personal data in this line).
        logger.exception("Could not delete the stored PDF copy %s", name)
        raise
