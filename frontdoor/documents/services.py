"""Attaching, removing and handing over supporting documents.

A file is attached only when all of this holds: it is within the size limits; examine.py
(in its own process) says it is a PDF, Word document, JPG or PNG that opens, has no macros
and no password; clamd says it is clean (a virus is named as one even in a file refused
for its type). Only then is it stored (the
re-encoded copy, for an image) and its row written. Every upload, refusal and removal is
audited, without the file's name (it may name a child).
"""

import hashlib
import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Model, QuerySet, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.documents import scanning
from frontdoor.documents.examining import examine
from frontdoor.documents.models import Document
from frontdoor.documents.names import display_name
from frontdoor.documents.storage import documents_storage
from frontdoor.referrals.models import Draft, Submission

NOT_SCANNED = ("zip_bomb", "too_many_pixels", "too_complex")
ACCEPTED = "a Word document (.doc or .docx), a PDF, or a JPG or PNG image"


class DraftGone(Exception):
    """The draft was sent or deleted while a file for it was being checked."""


@dataclass(frozen=True)
class Refusal:
    name: str  # the file's name, safe to show
    reason: str
    used: int = 0  # the account's documents, in bytes, when its store is full

    @property
    def message(self) -> str:
        return refusal_message(self.name, self.reason, self.used)


def megabytes(n: int) -> str:
    return f"{n}MB"


def refusal_message(name: str, reason: str, used: int = 0) -> str:
    """What the person is told, in the GOV.UK file upload pattern's words."""
    file = f"‘{name}’"
    messages = {
        "empty": f"{file} is empty. Choose a file with something in it",
        "too_large": f"{file} must be smaller than {megabytes(settings.DOCUMENT_MAX_MB)}",
        "type": f"{file} must be {ACCEPTED}",
        "damaged": f"{file} could not be opened. It may be damaged: save it again and upload "
        "the new copy",
        "encrypted": f"{file} is protected by a password. Upload a copy without a password",
        "macros": f"{file} contains macros. Save it as a Word document without macros (.docx) "
        "and upload that",
        "active_content": f"{file} contains scripts, actions or attached files. Print it to a "
        "new PDF and upload that",
        "zip_bomb": f"{file} is too large when opened. Save it again, or split it into smaller "
        "documents",
        "too_many_pixels": f"{file} is too large an image. Upload a smaller photo or scan",
        "too_complex": f"{file} could not be checked. Save it again, or split it into smaller "
        "documents",
        "virus": f"{file} contains a virus. It has not been attached",
        "scan_unavailable": f"{file} could not be checked for viruses at the moment. Try "
        "again later",
        "duplicate": f"{file} is already attached to this form",
        "too_many_files": f"{file} was not attached: a form can have up to "
        f"{settings.DOCUMENTS_MAX_FILES} files",
        "total_too_large": f"{file} was not attached: a form's files must add up to less than "
        f"{megabytes(settings.DOCUMENTS_MAX_TOTAL_MB)}",
        "account_full": f"{file} was not attached: your account can store up to "
        f"{megabytes(settings.ACCOUNT_DOCUMENTS_MAX_MB)} of documents, and "
        f"{used / 1024 / 1024:.1f}MB is used by your drafts and sent forms. Remove documents you "
        "no longer need from your drafts, or delete drafts in Recover a form, then upload "
        "it again",
    }
    return messages[reason]


def of_draft(draft: Draft) -> QuerySet[Document]:
    return Document.objects.filter(draft=draft)


def of_submission(submission: Submission) -> QuerySet[Document]:
    return Document.objects.filter(submission=submission)


def describe(document: Document) -> str:
    return f"{document.get_kind_display()}, {filesizeformat(document.size)}"


def _room_for(draft: Draft, size: int) -> str | None:
    """Why one more file of this size does not fit on the draft, or None."""
    return _room(Document.objects.filter(draft=draft), draft.owner_id, size)


def _room(documents: QuerySet[Document], owner_id: int, size: int) -> str | None:
    """Why one more file of this size does not fit beside `documents` (a draft's, or an
    answer's), or in its owner's store, or None."""
    if documents.count() >= settings.DOCUMENTS_MAX_FILES:
        return "too_many_files"
    total = documents.aggregate(total=Sum("size"))["total"] or 0
    if total + size >= settings.DOCUMENTS_MAX_TOTAL_MB * 1024 * 1024:  # "less than"
        return "total_too_large"
    if stored_by(owner_id) + size > settings.ACCOUNT_DOCUMENTS_MAX_MB * 1024 * 1024:
        return "account_full"
    return None


def stored_by(owner_id: int) -> int:
    """The bytes the portal holds for one account: every document on its drafts and on
    its sent forms not yet deleted (a document's row goes with its file)."""
    return Document.objects.filter(owner_id=owner_id).aggregate(total=Sum("size"))["total"] or 0


def refuse(
    draft: Model, by: User, name: str, reason: str, size: int, kind: str = "", finding: str = ""
) -> Refusal:
    """Record a refusal (not the file's name) and say why, naming the file. `draft` is
    what the file was for: a draft, or (answers.py) an answer to a question."""
    record(
        "document.refused",
        actor=by,
        obj=draft,
        reason=reason,
        size=size,
        kind=kind,
        finding=finding,
    )
    used = stored_by(by.pk) if reason == "account_full" else 0
    return Refusal(display_name(name), reason, used)


def attach(draft: Draft, by: User, upload: UploadedFile[Any]) -> Document | Refusal:
    """Check, scan and store one uploaded file on the owner's draft."""
    if draft.owner_id != by.pk or not by.is_professional:
        raise PermissionError("Only the draft's professional owner attaches documents")
    return checked(
        draft,
        by,
        upload,
        lambda size: _room_for(draft, size),
        lambda name, path, kind: _store(draft, by, name, path, kind),
    )


def checked(
    held_by: Model,
    by: User,
    upload: UploadedFile[Any],
    room: Callable[[int], str | None],
    store: Callable[[str, str, str], Document | Refusal],
) -> Document | Refusal:
    """The one path every upload takes: the size limits, `room` (why one more file of
    this size does not fit, or None), examine.py and clamd; then `store(name, path,
    kind)` keeps the file that passed. A refusal is audited against `held_by`."""
    name = upload.name or ""
    size = upload.size or 0
    if size == 0:
        return refuse(held_by, by, name, "empty", 0)
    if size >= settings.DOCUMENT_MAX_MB * 1024 * 1024:  # the page says "smaller than"
        return refuse(held_by, by, name, "too_large", size)
    full = room(size)
    if full:
        return refuse(held_by, by, name, full, size)
    with tempfile.TemporaryDirectory(
        prefix="frontdoor-upload-", dir=settings.FILE_UPLOAD_TEMP_DIR
    ) as folder:
        if isinstance(upload, TemporaryUploadedFile):
            original = upload.temporary_file_path()  # already on disk: checked where it is
        else:
            original = os.path.join(folder, "original")
            with open(original, "wb") as copy:
                for chunk in upload.chunks():
                    copy.write(chunk)
        cleaned = os.path.join(folder, "cleaned")
        verdict = examine(original, cleaned)
        # Scanned even when refused, so that a virus is named as one (and audited), except
        # a bomb: clamd would spend seconds unpacking what examine.py refused at once.
        if scanning.enabled() and verdict.reason not in NOT_SCANNED:
            try:
                with open(original, "rb") as file:
                    signature = scanning.scan(file)
            except scanning.ScanUnavailable as error:
                if verdict.reason is None:
                    return refuse(held_by, by, name, "scan_unavailable", size, finding=str(error))
                signature = None
            if signature is not None:
                return refuse(held_by, by, name, "virus", size, finding=signature)
        if verdict.reason is not None:
            return refuse(held_by, by, name, verdict.reason, size, kind=verdict.kind or "")
        assert verdict.kind is not None
        keep = cleaned if verdict.cleaned else original
        return store(name, keep, verdict.kind)


def _saved(path: str) -> tuple[int, str, str]:
    """Keep a checked file in the private storage: its size, SHA-256 and stored name."""
    size = os.path.getsize(path)
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    with open(path, "rb") as file:
        stored_as = documents_storage().save(
            f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}", File(file)
        )
    return size, digest.hexdigest(), stored_as


def _store(draft: Draft, by: User, name: str, path: str, kind: str) -> Document | Refusal:
    size, sha256, stored_as = _saved(path)
    storage = documents_storage()
    now = timezone.now()
    try:
        with transaction.atomic():
            # The account's row first (as drafts.start locks it), then the draft's: two
            # uploads at once, to one draft or to two, are counted one after the other.
            User.objects.select_for_update().get(pk=by.pk)
            locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
            if locked is None:
                raise DraftGone  # sent or deleted (another tab) while this file was checked
            full = _room_for(locked, size)  # again, under the lock: two uploads at once
            if not full and size >= settings.DOCUMENT_MAX_MB * 1024 * 1024:
                full = "too_large"  # a re-encoded image that came out larger
            if not full and Document.objects.filter(draft=locked, sha256=sha256).exists():
                full = "duplicate"  # the same file twice (a double submit, or chosen again)
            if full:
                storage.delete(stored_as)
                return refuse(draft, by, name, full, size)
            document = Document.objects.create(
                owner=by,
                draft=locked,
                name=_unused_name(Document.objects.filter(draft=locked), display_name(name)),
                kind=kind,
                size=size,
                sha256=sha256,
                stored_as=stored_as,
                scanned=scanning.enabled(),
                uploaded_at=now,
            )
            locked.record_save()
            record(
                "document.uploaded", actor=by, obj=document, draft=draft.pk, kind=kind, size=size
            )
    except BaseException:
        storage.delete(stored_as)  # nothing half-stored
        raise
    return document


def attach_elsewhere(
    held_by: Model,
    by: User,
    upload: UploadedFile[Any],
    documents: Callable[[], QuerySet[Document]],
    lock: Callable[[], bool],
    link: Callable[[Document], None],
    *,
    reference: str = "",
) -> Document | Refusal:
    """Attach a file to something a higher app owns (an answer to a team's question:
    frontdoor.enquiries) through the same checks as a draft's. `documents()` are the files
    already on it (its limits and duplicates are counted among them); `lock()` locks it in
    the transaction and says whether it still takes files (DraftGone if not: sent in
    another tab); `link(document)` records the attachment in the same transaction. The
    document belongs to no draft and no submission: the higher app's row holds it.
    `reference` is the referral's, for the audit log: the upload is found by it even after
    the document is removed again."""
    if not by.is_professional:
        raise PermissionError("Only professionals attach documents")

    def store(name: str, path: str, kind: str) -> Document | Refusal:
        size, sha256, stored_as = _saved(path)
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=by.pk)  # the account's row first
                if not lock():
                    raise DraftGone
                existing = documents()
                full = _room(existing, by.pk, size)  # again, under the lock
                if not full and size >= settings.DOCUMENT_MAX_MB * 1024 * 1024:
                    full = "too_large"
                if not full and existing.filter(sha256=sha256).exists():
                    full = "duplicate"
                if full:
                    documents_storage().delete(stored_as)
                    return refuse(held_by, by, name, full, size)
                document = Document.objects.create(
                    owner=by,
                    name=_unused_name(existing, display_name(name)),
                    kind=kind,
                    size=size,
                    sha256=sha256,
                    stored_as=stored_as,
                    scanned=scanning.enabled(),
                )
                link(document)
                record(
                    "document.uploaded",
                    actor=by,
                    obj=document,
                    reference=reference,
                    kind=kind,
                    size=size,
                )
        except BaseException:
            documents_storage().delete(stored_as)  # nothing half-stored
            raise
        return document

    return checked(held_by, by, upload, lambda size: _room(documents(), by.pk, size), store)


def discard(document: Document, by: User, *, reference: str = "") -> None:
    """Remove a document held elsewhere (an answer not yet sent): its file goes too. The
    caller holds the lock of what held it. `reference`: as for `attach_elsewhere`."""
    if document.draft_id is not None or document.submission_id is not None:
        raise PermissionError("Not a document held elsewhere")
    record("document.removed", actor=by, obj=document, reference=reference)
    document.delete()


def _unused_name(documents: QuerySet[Document], name: str) -> str:
    """Two different files called "chronology.pdf" are listed as "chronology.pdf" and
    "chronology (2).pdf", so that each row (and its Remove button) can be told apart."""
    taken = set(documents.values_list("name", flat=True))
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    number = 1
    while name in taken:
        number += 1
        name = f"{stem} ({number}){dot}{extension}"
    return name


def remove(document: Document, by: User) -> None:
    """Remove a document from a draft: the stored file is deleted, not only the row."""
    if document.draft_id is None:
        raise PermissionError("A sent form's documents are kept")
    with transaction.atomic():
        # Under the draft's lock: a form being sent at this moment keeps its documents.
        locked = Draft.objects.select_for_update().filter(pk=document.draft_id).first()
        current = Document.objects.filter(pk=document.pk, draft=locked).first()
        if locked is None or current is None:
            return
        record("document.removed", actor=by, obj=current, draft=locked.pk)
        current.delete()
        locked.record_save()


def hand_over(draft: Draft, submission: Submission) -> int:
    """The draft's documents go with it into the submission (inside submit's transaction)."""
    return Document.objects.filter(draft=draft).update(draft=None, submission=submission)
