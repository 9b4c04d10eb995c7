"""The council staff's pages of a submission and its outcome (the inbox: inbox.py).

Everything is scoped to the teams of the person asking: another team's submission is a
404, whether it exists or not. Every opening of a submission is audited.
"""

import uuid
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.core.forms import GovukForm
from frontdoor.documents import scanning
from frontdoor.documents import services as documents
from frontdoor.documents import views as documents_views
from frontdoor.referrals import pdf
from frontdoor.referrals.models import StatusChange
from frontdoor.referrals.presenting import submission_context
from frontdoor.referrals.submissions import record_outcome, team_submissions


def staff_only(view: Any) -> Any:
    """Council staff (members of a team) only; to anyone else the pages do not exist."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_council_staff:
            raise Http404
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return login_required(wrapped)


class OutcomeForm(GovukForm):
    status = forms.ChoiceField(
        label="Status",
        choices=[c for c in StatusChange.Status.choices if c[0] != StatusChange.Status.RECEIVED],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the status"},
    )
    response = forms.CharField(
        label="Response for the referrer",
        help_text="The referrer reads this under View Submitted Forms. Do not include details "
        "they should not see.",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def submission(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    found = get_object_or_404(team_submissions(user), reference=reference)
    form = OutcomeForm(request.POST or None)
    if found.owner_id is None:
        # Sent without an account: there is nobody to read a response.
        del form.fields["response"]
    if form.is_valid():
        response = form.cleaned_data.get("response", "")
        record_outcome(found, form.cleaned_data["status"], response, user)
        messages.success(request, f"The status of {found.reference} has been recorded.")
        return redirect("backoffice:submission", reference=found.reference)
    record("submission.viewed", request=request, obj=found)
    return render(
        request,
        "backoffice/submission.html",
        {
            **submission_context(found),
            "documents": documents_views.listed(
                documents.of_submission(found), "backoffice:document", found.reference
            ),
            "scanning": scanning.enabled(),
            "pdf_copy": pdf.copy_if_any(found),
            "form": form,
        },
    )


@staff_only
@require_safe
def document(request: HttpRequest, reference: str, document_id: uuid.UUID) -> FileResponse:
    """A document sent with a form to one of the asker's teams (audited)."""
    user = request.user
    assert isinstance(user, User)
    found = get_object_or_404(team_submissions(user), reference=reference)
    return documents_views.submission_download(request, found, document_id)


@staff_only
@require_safe
def submission_pdf(request: HttpRequest, reference: str) -> HttpResponse | FileResponse:
    user = request.user
    assert isinstance(user, User)
    found = get_object_or_404(team_submissions(user), reference=reference)
    return pdf.pdf_response(
        request, found, page_url=reverse("backoffice:submission", args=[found.reference])
    )
