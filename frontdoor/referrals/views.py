"""The referrer's pages: start a form, its task list, its sections, check answers, send,
recover a draft, and the forms they have sent. Every object is looked up scoped to the
person asking: anyone else's draft or submission is a 404, whether it exists or not.
"""

import datetime
import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from frontdoor.accounts.middleware import take_kept_post
from frontdoor.accounts.models import User
from frontdoor.addresses.lookup import LookupUnavailable, get_lookup
from frontdoor.addresses.postcodes import normalise_postcode
from frontdoor.audit.services import record
from frontdoor.core.client import client_ip
from frontdoor.documents import services as documents
from frontdoor.documents import views as documents_views
from frontdoor.referrals import drafts, extras, pdf, registry
from frontdoor.referrals import without_account as public
from frontdoor.referrals.answers import ADDRESS_PARTS, section_form, typed_to_initial
from frontdoor.referrals.definitions import Definition, Section
from frontdoor.referrals.models import Draft, Submission
from frontdoor.referrals.presenting import (
    check_rows,
    children_named,
    prefill,
    submission_context,
)
from frontdoor.referrals.services import definition_of
from frontdoor.referrals.submissions import (
    NotReady,
    sent_from_page,
    submit,
    submit_without_account,
    unfinished,
    visible_to_referrer,
)

GET_OR_POST = require_http_methods(["GET", "HEAD", "POST"])
JUST_SENT = "just_sent"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _form_or_404(slug: str) -> Definition:
    definition = registry.get(slug)
    if definition is None:
        raise Http404
    return definition


class DraftSent(Http404):
    """The draft asked for has been sent: to its owner, its pages say so (Back after Send)."""

    def __init__(self, submission: Submission) -> None:
        super().__init__("This form has been sent")
        self.submission = submission


def _draft(request: HttpRequest, draft_id: int) -> tuple[Draft, Definition]:
    draft = (
        Draft.objects.select_related("form_version", "owner")
        .filter(pk=draft_id, owner=_user(request))
        .first()
    )
    if draft is None:
        # A sent draft is deleted, and its submission keeps the draft's id (draft_key):
        # only the owner learns that it was sent; anyone else gets the same 404 as ever.
        if request.method in ("GET", "HEAD"):
            sent = _own_submissions(request).filter(draft_key=draft_id).first()
            if sent is not None:
                raise DraftSent(sent)
        raise Http404
    return draft, definition_of(draft.form_version)


def _says_when_sent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A draft's page opened after it was sent (Back, or an old tab): "This form has been
    sent", with its reference and a link to it, rather than "Page not found"."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DraftSent as sent:
            submission = sent.submission
            record("submission.viewed", request=request, obj=submission, page="draft_sent")
            return render(
                request,
                "referrals/draft_sent.html",
                {
                    "submission": submission,
                    "definition": definition_of(submission.form_version),
                },
            )

    return wrapped


def _section(request: HttpRequest, draft: Draft, definition: Definition, slug: str) -> Section:
    shown = drafts.shown_slugs(definition)
    for section in drafts.sections_for(_user(request), definition):
        if section.slug == slug and section.slug in shown:
            return section
    if any(s.slug == slug and s.slug in shown for s in definition.sections):
        # A section of this form that this account may not answer (supporting documents,
        # for a non-professional): refused, and nothing is read or stored.
        raise PermissionDenied
    raise Http404


@login_required
@require_safe
def choose(request: HttpRequest) -> HttpResponse:
    """Start a form: the forms this account may use."""
    user = _user(request)
    # Referrals first, in the order councils list them; feedback last.
    order = ["social-care", "early-help", "lado", "send"]
    forms = sorted(
        (d for d in registry.forms().values() if drafts.may_use(user, d)),
        key=lambda d: (order.index(d.team) if d.team in order else len(order), d.title),
    )
    return render(request, "referrals/choose.html", {"forms": forms})


@GET_OR_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """A form's start page: a public address the council's website can link to."""
    definition = _form_or_404(slug)
    allowed = request.user.is_authenticated and drafts.may_use(_user(request), definition)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        if not allowed:
            raise Http404
        try:
            draft = drafts.start(_user(request), definition)
        except drafts.CannotStart as limit:
            return _cannot_start(request, definition, limit)
        return redirect("referrals:task_list", draft_id=draft.pk)
    return render(request, "referrals/start.html", {"definition": definition, "allowed": allowed})


def _cannot_start(
    request: HttpRequest, definition: Definition, limit: drafts.CannotStart
) -> HttpResponse:
    """What to do instead, when a limit stops the account starting another draft."""
    kind = definition.slug.rsplit("-", 1)[-1]
    retry_at = None
    if limit.retry_at is not None:
        at = timezone.localtime(limit.retry_at)
        if at.second or at.microsecond:
            # Rounded up to the minute, so that trying at the time said always works.
            at = at.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        retry_at = f"{at:%-I:%M}{at:%p}".lower() if at.minute else f"{at:%-I}{at:%p}".lower()
    return render(
        request,
        "referrals/cannot_start.html",
        {
            "definition": definition,
            "count": limit.count,
            "plural": f"{kind}s" if kind in ("referral", "request") else "forms",
            "retry_at": retry_at,
        },
    )


@GET_OR_POST
def without_account(request: HttpRequest, slug: str) -> HttpResponse:
    """One page to send a form (feedback) without an account: no draft, no reply, and no
    trace of the sender. The confirmation is this POST's own response, so no session ever
    holds the reference; sending the page again (a refresh) shows the same submission."""
    definition = _form_or_404(slug)
    form_class = public.form_class(definition)
    if form_class is None:
        raise Http404
    if request.method == "POST":
        form = form_class(request.POST)
        key = public.page_key(request.POST.get("page_key"))
        if form.is_valid():
            submission = sent_from_page(key)
            if submission is None and public.may_send(client_ip(request)):
                submission = submit_without_account(definition, form.typed_answers(), key)
            if submission is not None:
                return render(
                    request,
                    "referrals/sent_without_account.html",
                    {"definition": definition, "submission": submission},
                )
            # What was typed stays in the page, to send later.
            form.add_error(
                None,
                "Too much feedback has been sent from this connection in the last hour. "
                "Try again later.",
            )
    else:
        form = form_class()
        key = public.page_key(None)
    return render(
        request,
        "referrals/without_account.html",
        {"definition": definition, "form": form, "page_key": key},
    )


@login_required
@require_safe
@_says_when_sent
def task_list(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, definition = _draft(request, draft_id)
    sections = [
        (section, drafts.status_of(draft, section))
        for section in drafts.sections_for(_user(request), definition)
        if section.slug in drafts.shown_slugs(definition)
    ]
    return render(
        request,
        "referrals/task_list.html",
        {
            "draft": draft,
            "definition": definition,
            "sections": sections,
            "done": sum(1 for _, status in sections if status == "completed"),
            "ready": not unfinished(draft),
            "about": children_named(definition, draft.answers),
            "handed_over_from": draft.handed_over_from,
            "about_you": [
                section.title
                for section in drafts.about_the_sender(definition)
                if any(section.slug == shown.slug for shown, _ in sections)
            ],
        },
    )


@login_required
@GET_OR_POST
@_says_when_sent
def section(
    request: HttpRequest, draft_id: int, slug: str, item: int | None = None
) -> HttpResponse:
    draft, definition = _draft(request, draft_id)
    user = _user(request)
    this = _section(request, draft, definition, slug)
    if this.documents:
        return documents_views.section_page(request, user, draft, definition, this)
    if this.repeat is not None and item is None:
        return _repeat_summary(request, draft, definition, this)
    stored: dict[str, Any] | None
    if this.repeat is not None:
        items = draft.answers.get(this.slug, [])
        if item is None or item > len(items) or item >= this.repeat.max:
            raise Http404
        stored = items[item] if item < len(items) else None
    else:
        stored = draft.answers.get(this.slug)
    form_class = section_form(this, definition.who, user.is_professional)
    revision = int(draft.revisions.get(this.slug, 0))
    posted = _posted(request, user)
    finders: dict[str, dict[str, Any]] = {}
    if posted is not None and request.method == "POST" and _address_action(posted):
        # "Find address", choosing one, "Reset address", "Same address as …": the page
        # comes back with the answers saved as typed and the address part done.
        posted, finders = _address_step(posted, this, draft, item)
        loaded = _int(posted.get("revision"), default=revision)
        saved, _ = drafts.save_section(draft, this, posted, loaded_revision=loaded, item=item)
        # Shown again as saved, without errors: finding an address is not answering yet.
        now_stored: Any = draft.answers.get(this.slug)
        if this.repeat is not None and item is not None:
            items = now_stored or []
            now_stored = items[item] if item < len(items) else None
        form = form_class(initial=typed_to_initial(this, now_stored or {}))
        form.finders = finders
        return _render_section(request, draft, definition, this, form, item, saved.conflict)
    if posted is not None:
        loaded = _int(posted.get("revision"), default=revision)
        saved, form = drafts.save_section(draft, this, posted, loaded_revision=loaded, item=item)
        if request.headers.get("X-Autosave") and request.method == "POST":
            # The page saving itself as the person types (JavaScript): no redirect, just
            # the section's new revision, so the page's next save is not seen as stale.
            return JsonResponse(
                {"saved": not saved.conflict, "revision": int(draft.revisions.get(this.slug, 0))},
                status=200 if not saved.conflict else 409,
            )
        if saved.conflict:
            messages.info(
                request,
                "This section was changed in another window or tab. These are the newest "
                "answers: check them, then save again.",
            )
            return redirect(request.path)
        if "later" in posted:
            messages.success(request, drafts.saved_for_later(draft))
            return redirect("referrals:recover")
        if saved.completed or form.is_valid():
            warnings = _warnings(this, form)
            if warnings:
                # An answer that needs action now (a child at risk of harm now): stop and
                # say who to phone, then let the form carry on.
                return render(
                    request,
                    "referrals/act_now.html",
                    {"draft": draft, "definition": definition, "warnings": warnings},
                )
            next_page = (
                reverse("referrals:section", args=[draft.pk, this.slug])
                if this.repeat is not None
                else reverse("referrals:task_list", args=[draft.pk])
            )
            if form.out_of_area:
                # Saved; but the council may not be the one to help: say so, then go on.
                return render(
                    request,
                    "referrals/out_of_area.html",
                    {"definition": definition, "next_page": next_page, "back": request.path},
                )
            if request.GET.get("return") == "check":
                # Came from "Change" on check your answers: go back there.
                next_page = reverse("referrals:check", args=[draft.pk])
            return redirect(next_page)
        revision += 1
    else:
        initial = typed_to_initial(this, stored) if stored is not None else prefill(this, user)
        form = form_class(initial=initial)
    return _render_section(request, draft, definition, this, form, item, False, posted is not None)


def _render_section(
    request: HttpRequest,
    draft: Draft,
    definition: Definition,
    this: Section,
    form: Any,
    item: int | None,
    conflict: bool,
    posted: bool = False,
) -> HttpResponse:
    draft.refresh_from_db(fields=["revisions", "answers"])
    if conflict:
        messages.info(
            request,
            "This section was changed in another window or tab. Check these answers, then save.",
        )
    first = (draft.answers.get(this.slug) or [{}])[0] if item and this.repeat else {}
    if first and any(q.type == "address" and first.get(q.id) for q in this.questions):
        assert this.repeat is not None
        form.same_as_first = f"Same address as the first {this.repeat.item}"
    return render(
        request,
        "referrals/section.html",
        {
            "draft": draft,
            "definition": definition,
            "section": this,
            "form": form,
            "revision": int(draft.revisions.get(this.slug, 0)),
            "item": item,
            "warnings": _warnings(this, form) if posted else [],
        },
    )


ADDRESS_ACTIONS = ("find", "choose", "reset", "same_as_first")


def _address_action(posted: QueryDict) -> tuple[str, str] | None:
    for action in ADDRESS_ACTIONS:
        value = posted.get(action)
        if isinstance(value, str) and value:
            return action, value
    return None


def _address_step(
    posted: QueryDict, this: Section, draft: Draft, item: int | None
) -> tuple[QueryDict, dict[str, dict[str, Any]]]:
    """Carry out an address button: returns the answers to save and what the finder shows."""
    action = _address_action(posted)
    assert action is not None
    name, question_id = action
    question = next(
        (q for q in this.questions if q.id == question_id and q.type == "address"), None
    )
    if question is None:
        raise Http404
    data = posted.copy()
    finder: dict[str, Any] = {
        "postcode": posted.get(f"{question_id}__find_postcode", ""),
        "house": posted.get(f"{question_id}__find_house", ""),
    }

    def fill(address: dict[str, str]) -> None:
        for index, (part, _, _) in enumerate(ADDRESS_PARTS):
            data[f"{question_id}_{index}"] = address.get(part, "")

    if name == "reset":
        fill({})
    elif name == "same_as_first" and item:
        first = (draft.answers.get(this.slug) or [{}])[0].get(question_id)
        if isinstance(first, list):
            fill({part: value for (part, _, _), value in zip(ADDRESS_PARTS, first, strict=False)})
    elif name in ("find", "choose"):
        if normalise_postcode(finder["postcode"]) is None:
            finder["error"] = "Enter a real postcode, like WR5 2NP"
        else:
            try:
                found = get_lookup().find(finder["postcode"], finder["house"])
            except LookupUnavailable:
                found = []
                finder["error"] = (
                    "Finding addresses is not working at the moment. Enter the address yourself."
                )
            if name == "choose":
                chosen = posted.get(f"{question_id}__choice", "")
                match = next((a for a in found if a.uprn and a.uprn == chosen), None)
                if match is None:
                    finder["error"] = "Please select an address or enter the details manually."
                    finder["results"] = found
                else:
                    fill(match.to_dict())
                    finder["chosen"] = match
            else:
                finder["results"] = found
                if not found and "error" not in finder:
                    finder["error"] = (
                        "No addresses were found for that postcode. Check it, or enter the "
                        "address yourself."
                    )
    return data, {question_id: finder}


def _posted(request: HttpRequest, user: User) -> QueryDict | None:
    """The answers to save: this POST, or a POST that arrived just after a time-out and was
    kept until the same person signed in again (accounts.middleware)."""
    if request.method == "POST":
        return request.POST
    data = take_kept_post(request)
    if data is None:
        return None
    messages.info(request, "We have saved the answers you sent just before you were signed out.")
    return data


def _warnings(this: Section, form: Any) -> list[str]:
    """What to do now, for answers that need action now (a child at risk of harm now):
    each piece of advice once, though two answers may call for the same."""
    advice = [
        q.warning
        for q in this.questions
        if q.warning and q.id in form.fields and form[q.id].value() == "yes"
    ]
    return list(dict.fromkeys(advice))


def _repeat_summary(
    request: HttpRequest, draft: Draft, definition: Definition, this: Section
) -> HttpResponse:
    assert this.repeat is not None
    items = draft.answers.get(this.slug, [])
    if request.method == "POST":
        if "remove" in request.POST:
            # A page from before removing asked first: ask now, on the confirmation page.
            index = _int(request.POST.get("remove"), default=-1)
            if 0 <= index < len(items):
                return redirect(
                    "referrals:remove_item", draft_id=draft.pk, slug=this.slug, item=index
                )
            return redirect(request.path)
        # "Add another": the next item's page (the section is done when it has enough).
        if len(items) >= this.repeat.max:
            raise Http404
        return redirect("referrals:item", draft_id=draft.pk, slug=this.slug, item=len(items))
    if not items:
        return redirect("referrals:item", draft_id=draft.pk, slug=this.slug, item=0)
    return render(
        request,
        "referrals/repeat_summary.html",
        {
            "draft": draft,
            "definition": definition,
            "section": this,
            "items": [
                (i, drafts.item_title(this, answers), answers.get("_valid"))
                for i, answers in enumerate(items)
            ],
            "can_add": len(items) < this.repeat.max,
        },
    )


@login_required
@GET_OR_POST
@_says_when_sent
def remove_item(request: HttpRequest, draft_id: int, slug: str, item: int) -> HttpResponse:
    """Removing a child or a household member is asked first ("Are you sure you want to
    remove Ava Smith?"), on its own page so it works without JavaScript, then POSTed."""
    draft, definition = _draft(request, draft_id)
    this = _section(request, draft, definition, slug)
    if this.repeat is None:
        raise Http404
    items = draft.answers.get(this.slug, [])
    back = reverse("referrals:section", args=[draft.pk, this.slug])
    if not 0 <= item < len(items):
        return redirect(back)  # removed already (another tab): the list as it is
    name = drafts.item_title(this, items[item], item)
    if request.method == "POST":
        loaded = _int(request.POST.get("revision"), default=-1)
        if drafts.remove_item(draft, this, item, loaded_revision=loaded):
            messages.success(request, f"{name[0].upper()}{name[1:]} has been removed.")
        else:
            messages.info(
                request,
                "This section was changed in another window or tab, so nothing was removed. "
                "Check the list, then remove again.",
            )
        return redirect(back)
    return render(
        request,
        "referrals/remove_item.html",
        {
            "draft": draft,
            "definition": definition,
            "section": this,
            "name": name,
            "back": back,
            "revision": int(draft.revisions.get(this.slug, 0)),
        },
    )


def _int(value: str | None, *, default: int) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default


@login_required
@require_safe
@_says_when_sent
def check(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, definition = _draft(request, draft_id)
    user = _user(request)
    sections = [
        s for s in drafts.sections_for(user, definition) if s.slug in drafts.shown_slugs(definition)
    ]
    return render(
        request,
        "referrals/check.html",
        {
            "draft": draft,
            "definition": definition,
            "summary": [
                (
                    s,
                    check_rows(
                        s,
                        draft.answers.get(s.slug),
                        s.slug in draft.completed,
                        definition.who,
                        user.is_professional,
                    ),
                )
                for s in sections
            ],
            "documents": documents_views.listed(
                documents.of_draft(draft), "referrals:draft_document", draft.pk
            ),
            "unfinished": unfinished(draft),
        },
    )


@login_required
@require_POST
def send(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = _user(request)
    try:
        submission = submit(draft_id, user)
    except Submission.DoesNotExist:
        raise Http404 from None
    except NotReady:
        messages.info(request, "Complete every section before you send the form.")
        return redirect("referrals:check", draft_id=draft_id)
    request.session[JUST_SENT] = submission.reference
    return redirect("referrals:sent", reference=submission.reference)


@login_required
@require_safe
def sent(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation page, and the referrer's view of a sent form with its response."""
    submission = _own_submission(request, reference)
    record("submission.viewed", request=request, obj=submission)
    # The confirmation panel, once, straight after sending; later visits show the record.
    just_sent = request.session.pop(JUST_SENT, None) == submission.reference
    return render(
        request,
        "referrals/sent.html",
        {
            **submission_context(submission),
            "documents": documents_views.listed(
                documents.of_submission(submission), "referrals:sent_document", reference
            ),
            "just_sent": just_sent,
            "pdf_copy": pdf.copy_if_any(submission),
            # What higher apps add (the team's questions: frontdoor.enquiries).
            "panels": extras.sent_panels(request, submission),
        },
    )


@login_required
@require_safe
def draft_document(request: HttpRequest, draft_id: int, document_id: uuid.UUID) -> FileResponse:
    """A document on the asker's own draft."""
    draft, _ = _draft(request, draft_id)
    return documents_views.draft_download(request, draft, document_id)


@login_required
@require_safe
def sent_document(request: HttpRequest, reference: str, document_id: uuid.UUID) -> FileResponse:
    """A document on the asker's own sent form, while they may still see it."""
    submission = _own_submission(request, reference)
    return documents_views.submission_download(request, submission, document_id)


@login_required
@require_safe
def sent_pdf(request: HttpRequest, reference: str) -> HttpResponse | FileResponse:
    """A PDF copy of a sent form, for its referrer (audited)."""
    submission = _own_submission(request, reference)
    return pdf.pdf_response(
        request, submission, page_url=reverse("referrals:sent", args=[submission.reference])
    )


def _own_submissions(request: HttpRequest) -> QuerySet[Submission]:
    """The asker's own sent forms, while they may still see them: while they are open, and
    for 30 days after the council's decision (an EHCNA decision takes 6 weeks)."""
    return visible_to_referrer(Submission.objects.filter(owner=_user(request))).select_related(
        "form_version"
    )


def _own_submission(request: HttpRequest, reference: str) -> Submission:
    """The asker's own sent form, while they may still see it (30 days); else 404."""
    return get_object_or_404(_own_submissions(request), reference=reference)


@login_required
@require_safe
def recover(request: HttpRequest) -> HttpResponse:
    """Recover a form: the account's drafts, grouped by form, each with who it is about,
    when it was last saved and when it is deleted. One query for all the drafts."""
    groups: dict[str, list[dict[str, Any]]] = {}
    titles: dict[str, str] = {}
    definitions: dict[int, Definition] = {}
    for draft in drafts.drafts_of(_user(request)):
        if draft.form_version_id not in definitions:
            definitions[draft.form_version_id] = definition_of(draft.form_version)
        definition = definitions[draft.form_version_id]
        groups.setdefault(definition.slug, []).append(
            {
                "draft": draft,
                "about": children_named(definition, draft.answers),
                "asks_child": any(
                    s.repeat is not None and s.repeat.item == "child" for s in definition.sections
                ),
            }
        )
        titles[definition.slug] = definition.short_name
    return render(
        request,
        "referrals/recover.html",
        {"groups": [(titles[slug], items) for slug, items in groups.items()]},
    )


@login_required
@GET_OR_POST
@_says_when_sent
def delete_draft(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft, definition = _draft(request, draft_id)
    if request.method == "POST":
        drafts.delete(draft, _user(request))
        messages.success(request, f"Your draft {definition.short_name} form has been deleted.")
        return redirect("referrals:recover")
    return render(
        request,
        "referrals/delete.html",
        {
            "draft": draft,
            "definition": definition,
            "about": children_named(definition, draft.answers),
        },
    )


@login_required
@require_safe
def submitted(request: HttpRequest) -> HttpResponse:
    """View Submitted Forms: the account's open sent forms, and those decided in the last
    30 days."""
    submissions = list(_own_submissions(request).prefetch_related("history"))
    notes = extras.list_notes(submissions)
    rows = [
        (s, definition_of(s.form_version).title, list(s.history.all())[-1], notes.get(s.pk, []))
        for s in submissions
    ]
    return render(request, "referrals/submitted.html", {"rows": rows})
