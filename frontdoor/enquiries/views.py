"""The referrer's pages: answer a team's question, add information to a sent form, and the
panel their sent form's page shows (referrals.extras). Every enquiry is looked up for its
referrer only (`services.own_enquiries`): anyone else's is a 404, whether it exists or not.

Every POST saves what was typed before anything else, and ends in a redirect; a POST that
arrives after a time-out is kept (KEEP_POSTS_UNDER holds /forms/information/) and saved
as a draft once its sender signs in again, never sent unseen.
"""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from frontdoor.accounts.middleware import take_kept_post
from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.cases.models import Case
from frontdoor.cases.services import NotAllowed
from frontdoor.core.forms import GovukForm
from frontdoor.documents import scanning
from frontdoor.documents import services as documents
from frontdoor.documents import views as documents_views
from frontdoor.documents.uploads import TOO_LARGE
from frontdoor.enquiries import services
from frontdoor.enquiries.models import Enquiry
from frontdoor.referrals.models import Submission
from frontdoor.referrals.services import definition_of
from frontdoor.referrals.submissions import visible_to_referrer

GET_OR_POST = require_http_methods(["GET", "HEAD", "POST"])
FIELD = "documents"
RESULT = "enquiry_result:{}"  # what the last upload did, shown once after it
KEPT = "We have saved what you typed just before you were signed out. Check it, then send it."


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _own_submission(request: HttpRequest, reference: str) -> Submission:
    own = visible_to_referrer(Submission.objects.filter(owner=_user(request)))
    return get_object_or_404(own.select_related("form_version"), reference=reference)


def _own_enquiry(request: HttpRequest, reference: str, pk: int) -> Enquiry:
    return get_object_or_404(
        services.own_enquiries(_user(request)), pk=pk, case__submission__reference=reference
    )


class AnswerForm(GovukForm):
    answer = forms.CharField(
        label="Your answer",
        required=False,
        max_length=services.ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": f"Your answer must be {services.ANSWER_MAX_LENGTH} characters or fewer"
        },
    )

    def __init__(self, *args: Any, adding: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if adding:
            field = self.fields["answer"]
            field.label = "The information you want to add"
            field.error_messages["max_length"] = (
                f"The information must be {services.ANSWER_MAX_LENGTH} characters or fewer"
            )


# --- The panel on the referrer's sent form (referrals.extras) -------------------------------


def sent_panel(request: HttpRequest, submission: Submission) -> dict[str, Any] | None:
    """The questions and additions on a sent form, for its referrer's page."""
    case = Case.objects.filter(pk=submission.pk).first()
    if case is None:
        return None
    enquiries = services.for_referrer(submission)
    may_add = services.may_add(submission, case)
    if not enquiries and not may_add:
        return None
    now = timezone.now()
    questions = [e for e in enquiries if e.kind == Enquiry.Kind.QUESTION]
    return {
        "template": "enquiries/includes/sent_panel.html",
        "submission": submission,
        "waiting": [e for e in questions if not e.is_sent],
        "answered": [e for e in enquiries if e.is_sent],
        # A draft of added information with nothing in it (left before this was
        # prevented) is not shown as begun: "Add information" takes the referrer to it.
        "adding": next(
            (e for e in enquiries if e.kind == "offered" and not e.is_sent and _begun(e)),
            None,
        ),
        "may_add": may_add,
        # Added information sent as often as a day allows: when more can be.
        "limit": services.additions_wait(submission.pk) if may_add else None,
        "now": now,
    }


def _begun(enquiry: Enquiry) -> bool:
    return bool(enquiry.answer.strip()) or bool(enquiry.attachments.all())


def list_notes(submissions: list[Submission]) -> dict[int, str]:
    """ "Question waiting for your answer" on the View Submitted Forms rows: one query."""
    waiting = Enquiry.objects.filter(
        case_id__in=[s.pk for s in submissions],
        kind=Enquiry.Kind.QUESTION,
        answered_at=None,
    ).values_list("case_id", flat=True)
    return dict.fromkeys(waiting, "Question waiting for your answer")


# --- Answering ------------------------------------------------------------------------------


@login_required
@GET_OR_POST
def add(request: HttpRequest, reference: str) -> HttpResponse:
    """Add information to a sent form: the draft already started, or a new one (made by
    the first POST, so that looking at the page starts nothing)."""
    submission = _own_submission(request, reference)
    user = _user(request)
    started = Enquiry.objects.filter(
        case_id=submission.pk, kind=Enquiry.Kind.OFFERED, answered_at=None
    ).first()
    kept = take_kept_post(request) if request.method != "POST" else None
    if started is not None and kept is None and request.method != "POST":
        return redirect("enquiries:answer", reference=reference, pk=started.pk)
    if not services.may_add(submission):
        # Theirs, but closed, or sent without their name: say why (nothing is kept).
        return render(
            request,
            "enquiries/cannot_add.html",
            {
                "submission": submission,
                "definition": definition_of(submission.form_version),
                "why": services.why_not_added(submission),
            },
        )
    posted = request.POST if request.method == "POST" else kept
    if posted is None:
        if (limit := services.additions_wait(submission.pk)) is not None:
            # Sent as often as a day allows: no form to type into, so nothing to lose. (A
            # POST from a page loaded before is kept as a draft, to send later.)
            return render(
                request,
                "enquiries/cannot_add.html",
                {
                    "submission": submission,
                    "definition": definition_of(submission.form_version),
                    "limit": limit,
                },
            )
        return _page(request, submission, None, AnswerForm(adding=True))
    if (empty := _nothing_to_keep(request, submission, posted)) is not None:
        return empty
    try:
        enquiry = services.start_adding(submission, user)
    except NotAllowed:  # closed a moment ago
        return redirect("referrals:sent", reference=reference)
    enquiry = _own_enquiry(request, reference, enquiry.pk)
    if kept is not None:
        return _keep(request, enquiry, kept)
    return _post(request, enquiry)


def _nothing_to_keep(
    request: HttpRequest, submission: Submission, posted: QueryDict
) -> HttpResponse | None:
    """A first POST with nothing typed and no file starts no draft (so none is left to
    show in the referrer's lists): sending or uploading says what is missing; saving
    says nothing was saved. None when there is something to keep."""
    form = AnswerForm(posted, adding=True)
    if not form.is_valid() or form.cleaned_data["answer"].strip():
        return None
    if request.method == "POST" and (
        request.FILES.getlist(FIELD) or getattr(request, TOO_LARGE, [])
    ):
        return None
    if "send" in posted:
        form.add_error("answer", "Enter the information you want to add")
        return _page(request, submission, None, form)
    if "upload" in posted and _user(request).is_professional:
        return _page(request, submission, None, form, upload_errors=["Select a file to upload"])
    messages.info(request, "Nothing has been saved: you had not entered anything.")
    return redirect("referrals:sent", reference=submission.reference)


@login_required
@GET_OR_POST
def answer(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    enquiry = _own_enquiry(request, reference, pk)
    if request.method == "POST":
        if enquiry.is_sent:
            messages.info(request, "You have already sent this.")
            return redirect("referrals:sent", reference=reference)
        return _post(request, enquiry)
    kept = take_kept_post(request)
    if kept is not None and not enquiry.is_sent:
        return _keep(request, enquiry, kept)
    record("enquiry.viewed", request=request, obj=enquiry)
    form = AnswerForm(
        initial={"answer": enquiry.answer}, adding=enquiry.kind == Enquiry.Kind.OFFERED
    )
    return _page(request, enquiry.case.submission, enquiry, form)


def _keep(request: HttpRequest, enquiry: Enquiry, kept: QueryDict) -> HttpResponse:
    """A POST kept at a time-out: its text saved as a draft, and shown to check. Text the
    form refuses (a control character, too long) is not saved: it is shown with the error
    to put right, as if just posted."""
    form = AnswerForm(kept, adding=enquiry.kind == Enquiry.Kind.OFFERED)
    if not form.is_valid():
        return _page(request, enquiry.case.submission, enquiry, form)
    try:
        services.save_answer(enquiry, form.cleaned_data["answer"], _user(request))
    except NotAllowed:
        pass
    else:
        messages.info(request, KEPT)
    return redirect(_url(enquiry))


def _url(enquiry: Enquiry) -> str:
    return reverse("enquiries:answer", args=[enquiry.case.submission.reference, enquiry.pk])


def _post(request: HttpRequest, enquiry: Enquiry) -> HttpResponse:
    user = _user(request)
    adding = enquiry.kind == Enquiry.Kind.OFFERED
    form = AnswerForm(request.POST, adding=adding)
    submission = enquiry.case.submission
    if not form.is_valid():
        return _page(request, submission, enquiry, form)
    text = form.cleaned_data["answer"]
    try:
        # What was typed is kept first, whatever the button.
        services.save_answer(enquiry, text, user)
        if "remove" in request.POST:
            name = services.remove_document(enquiry, request.POST.get("remove"), user)
            if name:
                messages.success(request, f"‘{name}’ has been removed.")
            if adding and services.discard_if_empty(enquiry, user):
                # Nothing left in it: the same empty page, with no draft behind it.
                return redirect("enquiries:add", reference=submission.reference)
            return redirect(_url(enquiry))
        chosen = bool(request.FILES.getlist(FIELD) or getattr(request, TOO_LARGE, []))
        if user.is_professional and ("upload" in request.POST or chosen):
            uploaded, errors = _upload(request, user, enquiry)
            if errors or "upload" in request.POST:
                request.session[RESULT.format(enquiry.pk)] = {
                    "uploaded": uploaded,
                    "errors": errors,
                }
                return redirect(_url(enquiry))
        if "send" in request.POST:
            services.send_answer(enquiry, text, user)
            messages.success(
                request,
                "Your answer has been sent to the team"
                if not adding
                else "The information has been sent to the team",
            )
            return redirect("referrals:sent", reference=submission.reference)
    except NotAllowed as problem:
        form.add_error("answer", str(problem))
        return _page(request, submission, enquiry, form)
    except documents.DraftGone:
        messages.info(request, "You have already sent this.")
        return redirect("referrals:sent", reference=submission.reference)
    if adding and services.discard_if_empty(enquiry, user):
        messages.info(
            request, "Nothing has been saved: there was nothing in it, so it was deleted."
        )
        return redirect("referrals:sent", reference=submission.reference)
    messages.success(request, "Saved. It has not been sent yet: send it when it is ready.")
    return redirect("referrals:sent", reference=submission.reference)


def _upload(request: HttpRequest, user: User, enquiry: Enquiry) -> tuple[list[str], list[str]]:
    errors = [
        documents.refuse(
            enquiry, user, name, "too_large", settings.DOCUMENT_MAX_MB * 1024 * 1024
        ).message
        for name in getattr(request, TOO_LARGE, [])
    ]
    files = request.FILES.getlist(FIELD)
    if not files and not errors:
        return [], ["Select a file to upload"]
    attached = []
    for upload in files:
        outcome = services.attach(enquiry, user, upload)
        if isinstance(outcome, documents.Refusal):
            errors.append(outcome.message)
        else:
            attached.append(outcome.name)
    return attached, errors


def _page(
    request: HttpRequest,
    submission: Submission,
    enquiry: Enquiry | None,
    form: AnswerForm,
    *,
    upload_errors: list[str] | None = None,
) -> HttpResponse:
    user = _user(request)
    result: dict[str, Any] = {"errors": upload_errors or []}
    if enquiry is not None:
        result = request.session.pop(RESULT.format(enquiry.pk), None) or result
    errors = [str(e) for e in result.get("errors", [])]
    uploaded = [str(n) for n in result.get("uploaded", [])]
    attached = list(services.documents_of(enquiry)) if enquiry is not None else []
    adding = enquiry is None or enquiry.kind == Enquiry.Kind.OFFERED
    sending = adding and (enquiry is None or not enquiry.is_sent)
    return render(
        request,
        "enquiries/answer.html",
        {
            "submission": submission,
            "definition": definition_of(submission.form_version),
            "enquiry": enquiry,
            "adding": adding,
            "form": form,
            "upload_errors": errors,
            "uploaded": ", ".join(f"‘{name}’" for name in uploaded),
            "uploaded_count": len(uploaded),
            "documents": [
                (
                    d,
                    documents.describe(d),
                    reverse("enquiries:document", args=[submission.reference, enquiry.pk, d.pk]),
                )
                for d in attached
                if enquiry is not None
            ],
            "professional": user.is_professional,
            "scanning": scanning.enabled(),
            "limits": {
                "file": settings.DOCUMENT_MAX_MB,
                "total": settings.DOCUMENTS_MAX_TOTAL_MB,
                "count": settings.DOCUMENTS_MAX_FILES,
            },
            "room": len(attached) < settings.DOCUMENTS_MAX_FILES,
            "field": FIELD,
            "limit": services.additions_wait(submission.pk) if sending else None,
        },
    )


@login_required
@require_safe
def document(request: HttpRequest, reference: str, pk: int, document_id: uuid.UUID) -> FileResponse:
    """A document with the asker's own answer (audited)."""
    enquiry = _own_enquiry(request, reference, pk)
    found = get_object_or_404(services.documents_of(enquiry), pk=document_id)
    return documents_views.download(request, found)
