"""The Supporting documentation section of a draft, and downloads.

The section page is reached through the referral form's own section address (the draft is
already looked up for its owner there). Downloads are for the owner and for staff of the
team the form was sent to: anyone else gets 404, and every download is audited.
"""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.documents import scanning, services
from frontdoor.documents.models import Document
from frontdoor.documents.names import content_disposition, download_name
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.uploads import TOO_LARGE
from frontdoor.referrals.definitions import Definition, Section
from frontdoor.referrals.drafts import saved_for_later
from frontdoor.referrals.models import Draft, Submission

FIELD = "documents"


RESULT = "documents_result:{}"  # what a draft's last upload did, shown once after it


def section_page(
    request: HttpRequest, user: User, draft: Draft, definition: Definition, section: Section
) -> HttpResponse:
    """List the draft's documents, upload more, remove one, then save and continue.

    Every POST ends in a redirect (refreshing never uploads a file twice); what an upload
    did (files attached, files refused and why) is kept in the session for the next page.
    Saving with a file chosen but not yet uploaded uploads it first.
    """
    back_to_check = request.GET.get("return") == "check"
    if request.method == "POST":
        if "remove" in request.POST:
            document = _draft_document(draft, request.POST.get("remove"))
            if document is not None:
                name = document.name
                services.remove(document, user)
                messages.success(request, f"‘{name}’ has been removed.")
            return redirect(request.get_full_path())
        chosen = bool(request.FILES.getlist(FIELD) or getattr(request, TOO_LARGE, []))
        if "upload" in request.POST or chosen:
            try:
                uploaded, errors = _upload(request, user, draft)
            except services.DraftGone:
                messages.info(request, "This form has been sent or deleted in another window.")
                return redirect("referrals:recover")
            if errors or "upload" in request.POST:
                request.session[RESULT.format(draft.pk)] = {"uploaded": uploaded, "errors": errors}
                return redirect(request.get_full_path())
        # "Save and continue" or "Save and come back later": the section is done (documents
        # are optional); files were saved as they were uploaded.
        _mark_done(draft, section)
        if "later" in request.POST:
            messages.success(request, saved_for_later(draft))
            return redirect("referrals:recover")
        if back_to_check:
            return redirect("referrals:check", draft_id=draft.pk)
        return redirect("referrals:task_list", draft_id=draft.pk)
    result = request.session.pop(RESULT.format(draft.pk), None) or {}
    errors = [str(e) for e in result.get("errors", [])]
    uploaded = [str(n) for n in result.get("uploaded", [])]
    documents = list(services.of_draft(draft))
    return render(
        request,
        "documents/section.html",
        {
            "draft": draft,
            "definition": definition,
            "section": section,
            "documents": [(d, services.describe(d)) for d in documents],
            "errors": errors,
            "uploaded": ", ".join(f"‘{name}’" for name in uploaded),
            "uploaded_count": len(uploaded),
            "scanning": scanning.enabled(),
            "limits": {
                "file": settings.DOCUMENT_MAX_MB,
                "total": settings.DOCUMENTS_MAX_TOTAL_MB,
                "count": settings.DOCUMENTS_MAX_FILES,
            },
            "room": len(documents) < settings.DOCUMENTS_MAX_FILES,
            "field": FIELD,
            "back_to_check": back_to_check,
        },
    )


def _upload(request: HttpRequest, user: User, draft: Draft) -> tuple[list[str], list[str]]:
    """Attach each chosen file: the names attached, and the messages for those refused."""
    errors = [
        services.refuse(
            draft, user, name, "too_large", settings.DOCUMENT_MAX_MB * 1024 * 1024
        ).message
        for name in getattr(request, TOO_LARGE, [])
    ]
    files = request.FILES.getlist(FIELD)
    if not files and not errors:
        return [], ["Select a file to upload"]
    attached = []
    for upload in files:
        outcome = services.attach(draft, user, upload)
        if isinstance(outcome, services.Refusal):
            errors.append(outcome.message)
        else:
            attached.append(outcome.name)
    return attached, errors


def _mark_done(draft: Draft, section: Section) -> None:
    with transaction.atomic():
        locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:
            raise Http404  # sent or deleted in another window a moment ago
        locked.record_save(section.slug, completed=True)


def _draft_document(draft: Draft, value: Any) -> Document | None:
    try:
        key = uuid.UUID(str(value))
    except ValueError:
        return None
    return services.of_draft(draft).filter(pk=key).first()


def download(
    request: HttpRequest, document: Document, reference: str = "", **audit: Any
) -> FileResponse:
    """Send the file as an attachment that no browser will run or show inline (audited,
    with `audit` added to the event's detail)."""
    record("document.downloaded", request=request, obj=document, reference=reference, **audit)
    try:
        file = documents_storage().open(document.stored_as, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file, content_type=document.mime_type)
    response["Content-Disposition"] = content_disposition(
        download_name(document.name, document.kind)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def draft_download(request: HttpRequest, draft: Draft, document_id: uuid.UUID) -> FileResponse:
    return download(request, get_object_or_404(services.of_draft(draft), pk=document_id))


def submission_download(
    request: HttpRequest, submission: Submission, document_id: uuid.UUID, **audit: Any
) -> FileResponse:
    # The sent form's reference goes with the event, for the audit viewer.
    found = get_object_or_404(services.of_submission(submission), pk=document_id)
    return download(request, found, reference=submission.reference, **audit)


def listed(documents: Any, url_name: str, *args: Any) -> list[tuple[Document, str, str]]:
    """Documents with their descriptions and download addresses, for a page to list."""
    return [(d, services.describe(d), reverse(url_name, args=[*args, d.pk])) for d in documents]
