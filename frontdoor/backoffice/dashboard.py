"""The manager's dashboard of one team: figures about its referrals, each said in words
with how it is counted (`cases.figures`).

For the team's managers only. The figures are about the team's work, not one child, but
they are how the team is managed (timeliness against timescales, partners' delays,
re-referrals): the same people who see the team's workload see them. A worker of the
team is refused (403: the team is theirs, this page is not); anyone else gets a 404.
Every showing is audited.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from frontdoor.accounts.models import Membership, User
from frontdoor.audit.services import record
from frontdoor.backoffice import partners
from frontdoor.backoffice.views import staff_only
from frontdoor.cases import figures
from frontdoor.cases.figures import CHECKS_DAYS, DECISIONS_DAYS


@staff_only
@require_safe
def dashboard(request: HttpRequest, team: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    membership = next((m for m in user.team_memberships if m.team.slug == team), None)
    if membership is None:
        raise Http404
    if membership.role != Membership.Role.MANAGER:
        raise PermissionDenied("Only the team's managers see its dashboard")
    found = membership.team
    now = timezone.now()
    shown = figures.figures(found, now)
    record("dashboard.viewed", request=request, team=found.slug)
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "team": found,
            "f": shown,
            "now": now,
            "inbox_url": reverse("backoffice:team_inbox", args=[found.slug]),
            "median_working": figures.office_hours(shown.median_working),
            "median_clock": figures.duration(shown.median_clock),
            "decisions_days": DECISIONS_DAYS,
            "checks_days": CHECKS_DAYS,
            "check_days_words": partners.working_days_words(),
        },
    )
