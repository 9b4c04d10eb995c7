"""The council staff's pages of a referral, with every action on it (the inbox: inbox.py).

Everything is scoped to the teams of the person asking (`cases.services.case_for`):
another team's referral is a 404, whether it exists or not, and a team that transferred a
referral reads it but acts on it no more. Every view of a referral is audited. Each action
is a small form posting to its own URL, whose view validates the form and calls one
`cases.services` function; a problem shows the action's page again, with what was typed.
"""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.backoffice import referral
from frontdoor.backoffice.forms import (
    CHANGED,
    AskForm,
    AssignForm,
    ChooseOutcomeForm,
    ConfirmForm,
    DecideForm,
    LiftRestrictionForm,
    NoteForm,
    RateForm,
    RestrictForm,
    StageForm,
    TransferForm,
)
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.cases.services import CaseChanged, NotAllowed
from frontdoor.cases.workflows import workflow_for
from frontdoor.documents import scanning
from frontdoor.documents import services as documents
from frontdoor.documents import views as documents_views
from frontdoor.enquiries import services as enquiries
from frontdoor.referrals import pdf
from frontdoor.referrals.presenting import expects_reply, submission_context
from frontdoor.referrals.services import definition_of


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


# --- A referral ---------------------------------------------------------------------------


def _case(request: HttpRequest, reference: str) -> tuple[User, Case]:
    """The case the asker may see (their team's, or one their team transferred), or 404."""
    user = request.user
    assert isinstance(user, User)
    case = services.case_for(user, reference)
    if case is None:
        raise Http404
    return user, case


def _acting(request: HttpRequest, reference: str) -> tuple[User, Case]:
    """The case, for someone in the team it is in now: a former team only reads it."""
    user, case = _case(request, reference)
    if not services.may_act(user, case):
        raise PermissionDenied("Only the team the referral is in can act on it")
    return user, case


def _closed(request: HttpRequest, case: Case) -> HttpResponse | None:
    """An action's page, asked for on a referral that no longer takes it (closed): back to
    the referral, saying so. A POST goes on to the service, whose refusal is shown with
    what was typed."""
    if case.is_open or request.method == "POST":
        return None
    messages.info(request, "This referral has been decided and closed")
    return redirect(_page(case))


def _page(case: Case) -> str:
    return reverse("backoffice:submission", args=[case.submission.reference])


def _context(request: HttpRequest, user: User, case: Case, **extra: Any) -> dict[str, Any]:
    """What every page about a referral shows at its top (and the audit of its view)."""
    record("submission.viewed", request=request, obj=case.submission, **_restricted(case))
    definition = definition_of(case.submission.form_version)
    return {
        **referral.top(case, definition),
        "definition": definition,
        "submission": case.submission,
        "state": referral.summary(case),
        "allowed": referral.allowed(case, user),
        "workflow": workflow_for(case.team.slug),
        "page_url": _page(case),
        "restriction": referral.restriction(case, user),
        **extra,
    }


def _restricted(case: Case) -> dict[str, Any]:
    """What the audit of a view says of a restricted referral: that it was one."""
    return {"restricted": True} if case.is_restricted else {}


@staff_only
@require_safe
def submission(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _case(request, reference)
    found = case.submission
    workflow = workflow_for(case.team.slug)
    context = _context(request, user, case)
    allowed: referral.Allowed = context["allowed"]
    forms_shown: dict[str, Any] = {}
    if allowed.act and case.is_open:
        forms_shown = {
            "assign_form": AssignForm(case, allowed.colleagues, user, prefix="assign"),
            "rate_form": RateForm(case, prefix="rate") if allowed.rate else None,
            "stage_form": StageForm(case, workflow, prefix="stage"),
            "choose_form": ChooseOutcomeForm(case, workflow)
            if workflow.outcomes_at(case.stage)
            else None,
            "transfer_form": TransferForm(case, prefix="transfer"),
        }
    if allowed.act:
        forms_shown["note_form"] = NoteForm(case, prefix="note")
    cannot_ask = enquiries.why_not_asked(found)
    if allowed.act and case.is_open and not cannot_ask:
        forms_shown["ask_form"] = AskForm(case, prefix="ask")
    checks = referral.partner_checks(case)
    repeats, removed_repeats = referral.repeats(case, user), referral.removed_repeats(case, user)
    return render(
        request,
        "backoffice/submission.html",
        {
            **submission_context(found),
            **context,
            **forms_shown,
            # What the referrer has been told, with each email's delivery.
            "history": list(found.history.select_related("email")),
            "repeats": repeats,
            "removed_repeats": removed_repeats,
            "repeat_count": len(repeats) + len(removed_repeats),
            "events": referral.history(case, found),
            "notes": list(case.notes.select_related("author", "team")),
            "partner_checks": checks,
            "checks_overdue": sum(overdue for _, overdue in checks),
            "may_record_checks": allowed.act and case.is_open,
            "viewings": referral.viewings(found),
            "documents": documents_views.listed(
                documents.of_submission(found), "backoffice:document", found.reference
            ),
            "scanning": scanning.enabled(),
            "pdf_copy": pdf.copy_if_any(found),
            **_questions(case, cannot_ask),
        },
    )


def _questions(case: Case, cannot_ask: str) -> dict[str, Any]:
    """The questions to the referrer and what came back, for the referral's page."""
    found = enquiries.of_case(case)
    reference = case.submission.reference
    return {
        "enquiries": [
            (
                enquiry,
                documents_views.listed(
                    [a.document for a in enquiry.attachments.all()] if enquiry.is_sent else [],
                    "backoffice:information_document",
                    reference,
                    enquiry.pk,
                ),
            )
            for enquiry in found
        ],
        "unseen": sum(1 for e in found if e.is_sent and e.seen_at is None),
        "cannot_ask": cannot_ask,
        "now": timezone.now(),
    }


def _act(
    request: HttpRequest,
    user: User,
    case: Case,
    form: Any,
    act: Callable[[dict[str, Any]], Any],
    done: str,
    template: str,
    make_form: Callable[[Case, Any], Any],
    **extra: Any,
) -> HttpResponse:
    """An action's page: on a valid POST, one service call, then back to the referral;
    on a problem, the page again with the error and everything typed kept."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except CaseChanged:
            # Show the referral as it is now, and take this page's version as seen.
            case = services.case_for(user, case.submission.reference) or case
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(case.version)
            form = make_form(case, data)
            form.is_valid()
            # What was typed was valid for the referral as it was: only its change is news.
            form.errors.clear()
            form.add_error(None, CHANGED)
        except NotAllowed as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, done)
            return redirect(_page(case))
    return render(request, template, _context(request, user, case, form=form, **extra))


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    """Assign to me, unassign, and (managers, where the workflow says so) assign to a
    colleague: one form, `to` saying who."""
    user, case = _acting(request, reference)
    if (closed := _closed(request, case)) is not None:
        return closed
    colleagues = referral.assignable(case)

    def make(case: Case, data: Any) -> AssignForm:
        return AssignForm(case, colleagues, user, data, prefix="assign")

    form = make(case, _data(request))

    def act(data: dict[str, Any]) -> None:
        services.assign(case, form.assignee(user), user, expected_version=data["version"])

    return _act(request, user, case, form, act, "Assignment saved", "backoffice/assign.html", make)


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _acting(request, reference)
    if (closed := _closed(request, case)) is not None:
        return closed
    if case.rating and not services.may(user, case, services.CHANGE_RATING):
        raise PermissionDenied("Only a manager can change a rating")

    def make(case: Case, data: Any) -> RateForm:
        return RateForm(case, data, prefix="rate")

    def act(data: dict[str, Any]) -> None:
        services.rate(case, data["rating"], data["reason"], user, expected_version=data["version"])

    form = make(case, _data(request))
    return _act(request, user, case, form, act, "Rating saved", "backoffice/rate.html", make)


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def note(request: HttpRequest, reference: str) -> HttpResponse:
    """An internal note. It takes no version: two notes written at once are both kept."""
    user, case = _acting(request, reference)

    def make(case: Case, data: Any) -> NoteForm:
        return NoteForm(case, data, prefix="note")

    def act(data: dict[str, Any]) -> None:
        services.add_note(case, data["text"], user)

    form = make(case, _data(request))
    return _act(request, user, case, form, act, "Note added", "backoffice/note.html", make)


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def stage(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _acting(request, reference)
    if (closed := _closed(request, case)) is not None:
        return closed
    workflow = workflow_for(case.team.slug)

    def make(case: Case, data: Any) -> StageForm:
        return StageForm(case, workflow, data, prefix="stage")

    def act(data: dict[str, Any]) -> None:
        services.move_to_stage(case, data["stage"], user, expected_version=data["version"])

    form = make(case, _data(request))
    return _act(request, user, case, form, act, "Stage saved", "backoffice/stage.html", make)


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    """Deciding, in two steps that need no JavaScript: choose the outcome (a GET form);
    then the response for the referrer, pre-written for that outcome and editable, sent
    by POST. An error keeps what was typed."""
    user, case = _acting(request, reference)
    workflow = workflow_for(case.team.slug)
    if (closed := _closed(request, case)) is not None:
        return closed
    reply = expects_reply(case.submission)
    proposing = referral.allowed(case, user).proposes

    def make(case: Case, data: Any) -> DecideForm:
        return DecideForm(case, workflow, data, reply=reply, prefix="decide")

    if request.method != "POST":
        # The first step's form sends `chosen` (and `outcome`, once a radio is chosen).
        if "change" in request.GET or not ({"outcome", "chosen"} & set(request.GET)):
            choose = ChooseOutcomeForm(
                case, workflow, initial={"outcome": request.GET.get("change")}
            )
            return render(
                request,
                "backoffice/decide_choose.html",
                _context(request, user, case, form=choose, proposing=proposing),
            )
        choose = ChooseOutcomeForm(case, workflow, request.GET)
        if not choose.is_valid():
            return render(
                request,
                "backoffice/decide_choose.html",
                _context(request, user, case, form=choose, proposing=proposing),
            )
        outcome = workflow.outcome(choose.cleaned_data["outcome"])
        form = DecideForm(
            case,
            workflow,
            reply=reply,
            prefix="decide",
            initial={"outcome": outcome.slug, "response": outcome.response},
        )
    else:
        form = make(case, request.POST)
        if not form.is_valid() and "outcome" in form.errors:
            # No outcome chosen (or one not in the list): back to choosing one.
            choose = ChooseOutcomeForm(case, workflow, {"outcome": form.data.get("decide-outcome")})
            choose.is_valid()
            if not case.is_open:  # decided meanwhile: nothing left to choose from
                choose = ChooseOutcomeForm(case, workflow, {})
                choose.add_error(None, "This referral has already been decided and closed")
            return render(
                request,
                "backoffice/decide_choose.html",
                _context(request, user, case, form=choose, proposing=proposing),
            )

    def act(data: dict[str, Any]) -> None:
        services.decide(
            case, data["outcome"], data.get("response", ""), user, expected_version=data["version"]
        )

    done = (
        "Decision proposed: a manager confirms it before the referrer is told"
        if proposing
        else "Decision sent"
    )
    chosen_slug = form["outcome"].value()
    return _act(
        request,
        user,
        case,
        form,
        act,
        done,
        "backoffice/decide.html",
        make,
        outcome=next((o for o in workflow.outcomes if o.slug == chosen_slug), None),
        proposing=proposing,
        reply=reply,
    )


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, reference: str) -> HttpResponse:
    """A manager confirms a decision a worker proposed (perhaps changing it)."""
    user, case = _acting(request, reference)
    if (closed := _closed(request, case)) is not None:
        return closed
    if not services.is_manager(user, case.team):
        raise PermissionDenied("Only a manager can confirm a decision")
    workflow = workflow_for(case.team.slug)
    reply = expects_reply(case.submission)

    def make(case: Case, data: Any) -> ConfirmForm:
        return ConfirmForm(case, workflow, data, reply=reply, prefix="confirm")

    def act(data: dict[str, Any]) -> None:
        services.confirm(
            case,
            user,
            outcome=data["outcome"],
            response=data.get("response", ""),
            expected_version=data["version"],
        )

    form = make(case, _data(request))
    waiting = bool(case.proposed_outcome) and case.is_open
    return _act(
        request,
        user,
        case,
        form,
        act,
        "Decision confirmed and sent",
        "backoffice/confirm.html",
        make,
        waiting=waiting,
        reply=reply,
    )


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def transfer(request: HttpRequest, reference: str) -> HttpResponse:
    """Pass the referral to another team, with its history; this team keeps reading it."""
    user, case = _acting(request, reference)
    if (closed := _closed(request, case)) is not None:
        return closed

    def make(case: Case, data: Any) -> TransferForm:
        return TransferForm(case, data, prefix="transfer")

    form = make(case, _data(request))

    def act(data: dict[str, Any]) -> None:
        services.transfer(
            case, form.teams[data["team"]], data["reason"], user, expected_version=data["version"]
        )

    return _act(
        request, user, case, form, act, "Referral transferred", "backoffice/transfer.html", make
    )


@staff_only
@require_safe
def document(request: HttpRequest, reference: str, document_id: uuid.UUID) -> FileResponse:
    """A document sent with a referral the asker may see (audited)."""
    _, case = _case(request, reference)
    return documents_views.submission_download(
        request, case.submission, document_id, **_restricted(case)
    )


@staff_only
@require_safe
def submission_pdf(request: HttpRequest, reference: str) -> HttpResponse | FileResponse:
    _, case = _case(request, reference)
    return pdf.pdf_response(request, case.submission, page_url=_page(case), **_restricted(case))


def _managing(request: HttpRequest, reference: str) -> tuple[User, Case]:
    """The case, for a manager of the team it is in (to anyone else in it, 403)."""
    user, case = _acting(request, reference)
    if not services.is_manager(user, case.team):
        raise PermissionDenied("Only a manager can restrict who can see a referral")
    return user, case


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask the referrer for more information (they are emailed the reference only)."""
    user, case = _acting(request, reference)
    if (closed := _closed(request, case)) is not None:
        return closed
    cannot_ask = enquiries.why_not_asked(case.submission)

    def make(case: Case, data: Any) -> AskForm:
        return AskForm(case, data, prefix="ask")

    def act(data: dict[str, Any]) -> None:
        enquiries.ask_referrer(case, data["question"], user)

    form = make(case, _data(request))
    return _act(
        request,
        user,
        case,
        form,
        act,
        "Question sent to the referrer",
        "backoffice/ask.html",
        make,
        due_days=settings.ENQUIRY_ANSWER_WORKING_DAYS,
        cannot_ask=cannot_ask,
    )


@staff_only
@require_POST
def information_read(request: HttpRequest, reference: str) -> HttpResponse:
    """Mark what the referrer sent in as read: the inbox's "Information received" goes."""
    user, case = _acting(request, reference)
    if enquiries.acknowledge(case, user):
        messages.success(request, "Marked as read")
    return redirect(f"{_page(case)}#questions")


@staff_only
@require_safe
def information_document(
    request: HttpRequest, reference: str, enquiry_id: int, document_id: uuid.UUID
) -> FileResponse:
    """A document the referrer sent with an answer, on a referral the asker may see
    (audited, with the same headers as every download)."""
    _, case = _case(request, reference)
    found = enquiries.document_for_staff(case, enquiry_id, document_id)
    if found is None:
        raise Http404
    return documents_views.download(request, found, **_restricted(case))


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def restrict(request: HttpRequest, reference: str) -> HttpResponse:
    """Restrict who can see the referral to named people of the team, or change who. Open
    or closed alike: closing ends the work, not the need to keep it from colleagues."""
    user, case = _managing(request, reference)
    colleagues = referral.colleagues(case.team)
    changing = case.is_restricted

    def make(case: Case, data: Any) -> RestrictForm:
        return RestrictForm(case, colleagues, user, data, prefix="restrict")

    form = make(case, _data(request))

    def act(data: dict[str, Any]) -> None:
        do = services.change_restriction if changing else services.restrict
        do(case, form.chosen(), user, expected_version=data["version"])

    done = "Who can see it changed" if changing else "Referral restricted"
    return _act(
        request,
        user,
        case,
        form,
        act,
        done,
        "backoffice/restrict.html",
        make,
        changing=changing,
    )


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def lift_restriction(request: HttpRequest, reference: str) -> HttpResponse:
    """Lift the restriction (a page asking to be sure, then a POST)."""
    user, case = _managing(request, reference)
    if not case.is_restricted and request.method != "POST":
        messages.info(request, "This referral is not restricted")
        return redirect(_page(case))

    def make(case: Case, data: Any) -> LiftRestrictionForm:
        return LiftRestrictionForm(case, data, prefix="lift")

    def act(data: dict[str, Any]) -> None:
        services.lift_restriction(case, user, expected_version=data["version"])

    form = make(case, _data(request))
    return _act(
        request,
        user,
        case,
        form,
        act,
        "Restriction lifted: everyone in the team can see the referral",
        "backoffice/lift_restriction.html",
        make,
    )
