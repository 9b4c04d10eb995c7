"""The administrators' own pages (GOV.UK markup), served inside the administration site:
`admin.site.admin_view` signs in through the portal and makes them a 404 to anyone who is
not an administrator, as the rest of the site is (core/admin_site.py)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from frontdoor.accounts.models import User
from frontdoor.administration import leavers
from frontdoor.administration.forms import HandOverClosedForm, HandOverForm
from frontdoor.core.client import client_ip


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
                count = leavers.hand_over_drafts(account, by, to=drafts_to, ip=client_ip(request))
                messages.success(request, _drafts_message(count))
            else:
                done = leavers.deactivate(account, by, drafts_to=drafts_to, ip=client_ip(request))
                messages.success(request, _closed_message(done))
        except leavers.Refused as refused:
            form.add_error("drafts_to" if drafts_to else None, str(refused))
        else:
            return redirect("admin:accounts_user_leaver", account.pk)
    leaving = leavers.what_leaving_does(account)
    context: dict[str, Any] = {
        "account": account,
        "closed": closed,
        "form": form,
        "leaving": leaving,
        "offer_hand_over": account.is_professional and leaving.drafts > 0,
        "teams": list(account.teams.all()),
        "draft_days": settings.DRAFT_DAYS,
        "change_url": reverse("admin:accounts_user_change", args=[account.pk]),
        "is_self": account.pk == by.pk,
    }
    return render(request, "administration/leaver.html", context)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _drafts_message(count: int) -> str:
    return f"{_plural(count, 'draft', 'drafts')} handed over. The colleague has been emailed."


def _closed_message(done: leavers.Leaving) -> str:
    said = ["Account closed: its sessions have ended"]
    if done.open_referrals:
        referrals = _plural(done.open_referrals, "open referral", "open referrals")
        said.append(f"{referrals} back to the team's unassigned list")
    if done.drafts:
        said.append(_drafts_message(done.drafts).removesuffix("."))
    return ". ".join(said) + "."
