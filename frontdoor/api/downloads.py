"""Files the API sends: a referral's documents and its PDF copy, streamed from the private
"documents" storage (local or S3) in chunks, never read into memory, with their length and
their SHA-256 as `Repr-Digest` (RFC 9530), so a system can check what it received."""

import hashlib

from django.http import FileResponse, Http404

from frontdoor.api.reading import digest_header
from frontdoor.documents.models import Document
from frontdoor.documents.names import content_disposition, download_name
from frontdoor.documents.storage import documents_storage
from frontdoor.referrals.models import PdfCopy

CHUNK = 1024 * 1024


def _stream(stored_as: str, content_type: str, size: int, sha256: str, name: str) -> FileResponse:
    try:
        file = documents_storage().open(stored_as, "rb")
    except FileNotFoundError:
        raise Http404("The file is not in the portal's storage.") from None
    response = FileResponse(file, content_type=content_type)
    response.block_size = CHUNK  # read from storage a megabyte at a time
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition(name)
    response["Repr-Digest"] = digest_header(sha256)
    # As every download of the portal's (documents/views.py): never run or shown inline.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def document_response(document: Document) -> FileResponse:
    return _stream(
        document.stored_as,
        document.mime_type,
        document.size,
        document.sha256,
        download_name(document.name, document.kind),
    )


def pdf_response(copy: PdfCopy, reference: str) -> FileResponse:
    """The stored PDF copy. A copy made before its digest was kept gets it now: the file
    is read through once in chunks, and the digest stored for every later download."""
    if not copy.sha256:
        digest = hashlib.sha256()
        size = 0
        try:
            with documents_storage().open(copy.stored_as, "rb") as file:
                while chunk := file.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            raise Http404("The file is not in the portal's storage.") from None
        copy.sha256, copy.size = digest.hexdigest(), size
        PdfCopy.objects.filter(pk=copy.pk, stored_as=copy.stored_as).update(
            sha256=copy.sha256, size=size
        )
    return _stream(
        copy.stored_as, "application/pdf", copy.size or 0, copy.sha256, f"{reference}.pdf"
    )
