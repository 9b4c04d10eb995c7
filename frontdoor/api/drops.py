"""Drops: new referrals written as JSON with their documents into a folder or under an S3
prefix, for a case-management system without an API (or before its integration is built).

On a schedule (the task worker's "drop-referrals" job, or `manage.py drop_referrals`), each
live drop writes each new referral of its teams, not yet delivered to it:

    <destination>/FD-2026-000123/documents/01-chronology.pdf    the documents first,
    <destination>/FD-2026-000123/FD-2026-000123.pdf             the PDF copy,
    <destination>/FD-2026-000123.json                           the JSON last,

so an automation that watches for `*.json` finds everything the JSON names already there.
Each file is written whole or not at all (a folder: written beside, then renamed; S3: one
PUT). The JSON is what the API's `GET /api/v1/referrals/{reference}` says, with each
document's path (relative to the destination) and SHA-256 in place of a download link.

A referral is delivered once it has its PDF copy (the worker makes it within seconds of
sending); a restricted referral is not delivered until the restriction is lifted (to a
system it does not exist, as for the API). Delivered is not imported: retention treats a
drop's team as one without an API client (docs/security.md).
"""

import io
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from frontdoor.api import reading
from frontdoor.api.models import Drop, DropDelivery
from frontdoor.audit.services import record
from frontdoor.cases.models import Case
from frontdoor.documents.models import Document
from frontdoor.documents.names import display_name, download_name
from frontdoor.documents.services import of_submission
from frontdoor.documents.storage import documents_storage
from frontdoor.referrals.models import PdfCopy

logger = logging.getLogger(__name__)

# At most this many referrals a drop a run: a backlog is caught up over a few runs.
BATCH = 100
CHUNK = 1024 * 1024


class Destination(Protocol):
    def write(self, name: str, source: IO[bytes], content_type: str) -> None: ...


@dataclass(frozen=True)
class Folder:
    root: Path

    def write(self, name: str, source: IO[bytes], content_type: str) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside under a name no watcher looks for, then renamed: never half there.
        handle, partial = tempfile.mkstemp(prefix=".partial-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, 0o640)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class S3Prefix:
    bucket: str
    prefix: str

    def write(self, name: str, source: IO[bytes], content_type: str) -> None:
        key = f"{self.prefix}/{name}" if self.prefix else name
        from boto3.s3.transfer import TransferConfig

        # One PUT, streamed from the file (multipart would hold 8 MB parts in memory).
        whole = TransferConfig(multipart_threshold=(settings.DOCUMENT_MAX_MB + 1) * 1024 * 1024)
        _s3().upload_fileobj(
            source, self.bucket, key, ExtraArgs={"ContentType": content_type}, Config=whole
        )


def _s3() -> Any:
    import boto3

    # Credentials from where boto3 finds them (the environment, an instance role).
    return boto3.client(
        "s3",
        endpoint_url=settings.DROP_S3_ENDPOINT_URL or None,
        region_name=settings.DROP_S3_REGION or None,
    )


def parse(destination: str) -> Folder | S3Prefix:
    """The destination an administrator gave, or a ValidationError saying what is wrong."""
    destination = destination.strip()
    if destination.startswith("s3://"):
        parts = urlsplit(destination)
        if not parts.netloc or parts.query or parts.fragment:
            raise ValidationError("Enter an S3 prefix like s3://bucket/prefix")
        return S3Prefix(parts.netloc, parts.path.strip("/"))
    path = Path(destination)
    if not path.is_absolute() or ".." in path.parts:
        raise ValidationError(
            "Enter a folder as an absolute path, like /srv/frontdoor/drop, "
            "or an S3 prefix, like s3://bucket/prefix"
        )
    return Folder(path)


def check_folder(destination: str) -> None:
    """For the admin form: a folder must exist and be writable by the portal (an S3 prefix
    is checked by its first delivery, with the worker's credentials)."""
    place = parse(destination)
    if isinstance(place, Folder) and not (place.root.is_dir() and os.access(place.root, os.W_OK)):
        raise ValidationError(
            "The folder does not exist or the portal cannot write to it: create it and give "
            "the portal's user write access"
        )


def pending(drop: Drop) -> QuerySet[Case]:
    """The drop's teams' referrals received since its start that it has not delivered for
    the team they are in now, unrestricted, with their PDF copy made; oldest first."""
    delivered = DropDelivery.objects.filter(
        drop=drop, case_id=OuterRef("pk"), team_id=OuterRef("team_id")
    )
    copied = PdfCopy.objects.filter(submission_id=OuterRef("submission_id")).exclude(stored_as="")
    teams = Drop.teams.through.objects.filter(drop_id=drop.pk).values("team_id")
    return (
        Case.objects.filter(team_id__in=teams, restricted_at=None, received_at__gte=drop.since)
        .filter(Exists(copied))
        .exclude(Exists(delivered))
        .order_by("received_at", "pk")
    )


def _document_path(reference: str, index: int, document: Document) -> str:
    name = get_valid_filename(download_name(display_name(document.name), document.kind))
    return f"{reference}/documents/{index:02d}-{name}"


def deliver(drop: Drop, case: Case, place: Destination) -> int:
    """Write one referral to the drop, documents first and the JSON last, and record it.
    Returns the number of files written."""
    case = (
        Case.objects.select_related("submission__form_version", "submission__owner", "team")
        .prefetch_related("submission__people")
        .get(pk=case.pk)
    )
    submission = case.submission
    reference = submission.reference
    storage = documents_storage()
    listed = []
    documents = list(of_submission(submission).order_by("uploaded_at", "pk"))
    for index, document in enumerate(documents, start=1):
        path = _document_path(reference, index, document)
        with storage.open(document.stored_as, "rb") as source:
            place.write(path, source, document.mime_type)
        listed.append(
            {
                "name": document.name,
                "type": document.mime_type,
                "size": document.size,
                "sha256": document.sha256,
                "path": path,
            }
        )
    copy = PdfCopy.objects.get(submission=submission)
    pdf_path = f"{reference}/{reference}.pdf"
    with storage.open(copy.stored_as, "rb") as source:
        place.write(pdf_path, source, "application/pdf")

    now = timezone.now()
    body = {
        **reading.detail(case),
        "documents": listed,
        "pdf": {"path": pdf_path, "size": copy.size},
        "delivered": now,
        "drop": drop.name,
    }
    content = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
    place.write(f"{reference}.json", io.BytesIO(content), "application/json")
    files = len(documents) + 2
    try:
        with transaction.atomic():
            DropDelivery.objects.create(
                drop=drop, case=case, team_id=case.team_id, delivered_at=now, files=files
            )
            record(
                "drop.delivered",
                obj=submission,
                drop=drop.pk,
                drop_name=drop.name,
                team=case.team.slug,
                files=files,
            )
    except IntegrityError:
        return 0  # another run delivered it meanwhile: the same files, written again
    return files


def run(drop: Drop) -> int:
    """Deliver the drop's pending referrals, up to BATCH. A failure (the folder or the
    bucket unreachable) stops this drop's run, to be tried again at the next: what was
    written whole stays, and the JSON of the one that failed was never written."""
    place = parse(drop.destination)
    delivered = 0
    for case in pending(drop)[:BATCH]:
        try:
            if deliver(drop, case, place):
                delivered += 1
        except Exception as exc:  # any storage failure: tried again at the next run
            logger.warning(
                "Drop %s could not deliver a referral (%s): trying again at the next run",
                drop.pk,
                type(exc).__name__,
            )
            record(
                "drop.failed",
                obj=case.submission,
                drop=drop.pk,
                drop_name=drop.name,
                error=type(exc).__name__,
            )
            break
    return delivered


def run_all() -> None:
    """The scheduled job: every live drop."""
    for drop in Drop.objects.filter(paused_at=None):
        delivered = run(drop)
        if delivered:
            logger.info("Drop %s delivered %d referrals", drop.pk, delivered)
