"""The administrators' own pages (GOV.UK markup), served inside the administration site:
`admin.site.admin_view` signs in through the portal and makes them a 404 to anyone who is
not an administrator, as the rest of the site is (core/admin_site.py)."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from frontdoor.accounts.models import User
from frontdoor.administration import audit_log as audit_log_query
from frontdoor.administration import leavers
from frontdoor.administration.forms import AuditFilterForm, HandOverClosedForm, HandOverForm
from frontdoor.audit.services import record
from frontdoor.backoffice.inbox import _pagination
from frontdoor.core.client import client_ip
from frontdoor.core.spreadsheet import csv_response


def _administrator(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    assert user.is_staff
    return user


@require_http_methods(["GET", "HEAD", "POST"])
def leaver(request: HttpRequest, user_id: int) -> HttpResponse:
    """Close a leaver's account (the page is the confirmation), or, once closed, hand a
    professional's drafts to a colleague."""
    by = _administrator(request)
    account = get_object_or_404(User, pk=user_id)
    closed = not account.is_active
    form_class = HandOverClosedForm if closed else HandOverForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and account.pk == by.pk:
        form.add_error(None, "You cannot close your own account")
    elif request.method == "POST" and form.is_valid():
        drafts_to = form.cleaned_data["drafts_to"]
        try:
            if closed:
                handed = leavers.hand_over_drafts(account, by, to=drafts_to, ip=client_ip(request))
                messages.success(request, _drafts_message(handed.handed, handed.kept))
            else:
                done = leavers.deactivate(account, by, drafts_to=drafts_to, ip=client_ip(request))
                messages.success(request, _closed_message(done))
        except leavers.Refused as refused:
            # The field is not on the page when no colleague can have the drafts.
            shown = drafts_to and not leavers.why_no_hand_over(account)
            form.add_error("drafts_to" if shown else None, str(refused))
        else:
            return redirect("admin:accounts_user_leaver", account.pk)
    leaving = leavers.what_leaving_does(account)
    no_hand_over = leavers.why_no_hand_over(account) if account.is_professional else ""
    context: dict[str, Any] = {
        "account": account,
        "closed": closed,
        "form": form,
        "leaving": leaving,
        "offer_hand_over": account.is_professional and leaving.drafts > 0 and not no_hand_over,
        "no_hand_over": no_hand_over if leaving.drafts else "",
        "teams": list(account.teams.all()),
        "draft_days": settings.DRAFT_DAYS,
        "change_url": reverse("admin:accounts_user_change", args=[account.pk]),
        "is_self": account.pk == by.pk,
    }
    return render(request, "administration/leaver.html", context)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _drafts_message(count: int, kept: int = 0) -> str:
    said = f"{_plural(count, 'draft', 'drafts')} handed over. The colleague has been emailed."
    if kept:
        said += (
            f" {_plural(kept, 'draft', 'drafts')} did not fit: the colleague would have more "
            f"drafts of a form ({settings.DRAFTS_MAX_PER_FORM}) or more documents "
            f"({settings.ACCOUNT_DOCUMENTS_MAX_MB}MB) than an account may have. "
            f"{'It stays' if kept == 1 else 'They stay'} with this account: hand "
            f"{'it' if kept == 1 else 'them'} to another colleague below."
        )
    return said


def _closed_message(done: leavers.Leaving) -> str:
    said = ["Account closed: its sessions have ended"]
    if done.open_referrals:
        referrals = _plural(done.open_referrals, "open referral", "open referrals")
        said.append(f"{referrals} back to the team's unassigned list")
    if done.proposals:
        proposals = _plural(done.proposals, "decision they proposed", "decisions they proposed")
        said.append(f"{proposals} still {'waits' if done.proposals == 1 else 'wait'} for a manager")
    if done.restricted:
        restricted = _plural(done.restricted, "restricted referral", "restricted referrals")
        said.append(f"Taken off the people who can see {restricted}")
    if done.restricted_to_managers:
        said.append(
            f"{_plural(done.restricted_to_managers, 'restricted referral', 'restricted referrals')}"
            " now seen by the team's managers"
        )
    if done.drafts:
        said.append(_drafts_message(done.drafts, done.drafts_kept).removesuffix("."))
    return ". ".join(said) + "."


AUDIT_PAGE_SIZE = 50


@require_http_methods(["GET", "HEAD", "POST"])
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, filtered and 50 a page. The filter is posted (it takes an email
    address) and comes back as the page's address with an account id instead."""
    _administrator(request)
    here = reverse("admin:audit_auditevent_log")
    known = audit_log_query.actions()
    chosen = audit_log_query.Filter.from_query(request.GET)
    if request.method == "POST":
        form = AuditFilterForm(known, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            chosen = audit_log_query.Filter(
                person=data["person"],
                reference=data["reference"].strip().upper(),
                action=data["action"],
                start=data["start"],
                end=data["end"],
            )
            query = urlencode(chosen.query())
            return redirect(f"{here}?{query}" if query else here)
        # The problem, and what was typed; no events, which would be another filter's.
        return render(request, "administration/audit_log.html", {"form": form, "page": None})
    else:
        form = AuditFilterForm(known, initial=_initial(chosen))
    found = audit_log_query.events(chosen)
    page = Paginator(found, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    record("audit.viewed", request=request, filter=chosen.audited(), page=page.number)
    query = urlencode(chosen.query())
    events = list(page.object_list)
    # Who acted, and an account acted on, by name (one query for the page): an account's
    # number alone says nothing.
    accounts = User.objects.only("first_name", "last_name", "email").in_bulk(
        {event.actor_id for event in events if event.actor_id}
        | {
            int(event.object_id)
            for event in events
            if event.object_type == audit_log_query.ACCOUNT and event.object_id.isdigit()
        }
    )
    names = {pk: _actor_name(account, pk) for pk, account in accounts.items()}
    rows = [
        {
            "event": event,
            "about": audit_log_query.about(event, names),
            "detail": audit_log_query.detail_text(event.detail),
            "actor": _actor_name(accounts.get(event.actor_id), event.actor_id),
            "system": audit_log_query.system_of(event),
            "actor_url": reverse("admin:accounts_user_change", args=[event.actor_id])
            if event.actor_id
            else "",
        }
        for event in events
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": bool(chosen.query()),
        "pages": _pagination(page, here, query),
        "export_url": reverse("admin:audit_auditevent_export") + (f"?{query}" if query else ""),
    }
    return render(request, "administration/audit_log.html", context)


def _actor_name(actor: User | None, actor_id: int | None) -> str:
    if actor is None:
        return f"Account {actor_id}"
    return actor.get_full_name() or actor.email


def _initial(chosen: audit_log_query.Filter) -> dict[str, Any]:
    email: str | None = ""
    if chosen.person is not None:
        email = User.objects.filter(pk=chosen.person).values_list("email", flat=True).first()
    return {
        "person": email or "",
        "reference": chosen.reference,
        "action": chosen.action,
        "start": chosen.start,
        "end": chosen.end,
    }


@require_safe
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV, streamed, each cell safe in a spreadsheet."""
    _administrator(request)
    chosen = audit_log_query.Filter.from_query(request.GET)
    record("audit.exported", request=request, filter=chosen.audited())
    return csv_response(
        f"audit-log-{timezone.localdate():%Y-%m-%d}.csv",
        audit_log_query.CSV_HEADER,
        audit_log_query.csv_rows(audit_log_query.events(chosen)),
    )
