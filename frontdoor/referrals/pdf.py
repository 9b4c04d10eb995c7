"""A PDF copy of a sent form: tagged (PDF/UA-1), so screen readers can read it too."""

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from frontdoor.audit.services import record
from frontdoor.referrals.models import Submission
from frontdoor.referrals.presenting import submission_context

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"


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


def pdf_response(request: HttpRequest, submission: Submission) -> HttpResponse:
    """The PDF as a download, audited. Callers have already scoped the submission."""
    record("submission.pdf_downloaded", request=request, obj=submission)
    response = HttpResponse(submission_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{submission.reference}.pdf"'
    return response
