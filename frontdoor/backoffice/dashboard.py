"""The manager's dashboard of one team: figures about its referrals, each said in words
with how it is counted (`cases.figures`).

For the team's managers only. The figures are about the team's work, not one child, but
they are how the team is managed (timeliness against timescales, partners' delays,
re-referrals): the same people who see the team's workload (here too: open referrals
per worker) see them. A worker of the
team is refused (403: the team is theirs, this page is not); anyone else gets a 404.
Every showing is audited.
"""

import dataclasses
import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from frontdoor.accounts.models import Membership, Team, User
from frontdoor.audit.services import record
from frontdoor.backoffice import partners
from frontdoor.backoffice.views import staff_only
from frontdoor.cases import figures
from frontdoor.cases.figures import CHECKS_DAYS, DECISIONS_DAYS
from frontdoor.cases.models import Case
from frontdoor.cases.services import not_restricted_from


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
            "workload": workload(found, now, user),
            "now": now,
            "inbox_url": reverse("backoffice:team_inbox", args=[found.slug]),
            "median_working": figures.office_hours(shown.median_working),
            "median_clock": figures.duration(shown.median_clock),
            "decisions_days": DECISIONS_DAYS,
            "checks_days": CHECKS_DAYS,
            "check_days_words": partners.working_days_words(),
        },
    )


@dataclasses.dataclass
class Workload:
    name: str
    open: int = 0
    urgent: int = 0
    overdue: int = 0


def workload(team: Team, now: datetime.datetime, user: User) -> list[Workload]:
    """Open referrals per worker of the team (and unassigned), with how many are urgent
    and how many overdue; of those `user` may know of (not those restricted to others).
    Two queries."""
    counts: dict[Any, dict[str, Any]] = {
        row["assignee_id"]: dict(row)
        for row in Case.objects.filter(team=team, closed_at=None)
        .filter(not_restricted_from(user))
        .values("assignee_id")
        .annotate(
            open=Count("pk"),
            urgent=Count("pk", filter=Q(urgent=True)),
            overdue=Count("pk", filter=Q(decided_at=None, due_at__lte=now)),
        )
        .order_by()
    }
    # A closed account (a leaver) can be given no work: not listed, though still a member.
    members = (
        Membership.objects.filter(team=team, user__is_active=True)
        .order_by("user__last_name", "user__first_name")
        .values_list("user_id", "user__first_name", "user__last_name", "role")
    )
    rows = []
    for user_id, first_name, last_name, role in members:
        found = counts.pop(user_id, {})
        name = f"{first_name} {last_name}".strip()
        if role == Membership.Role.MANAGER:
            name += " (manager)"
        rows.append(
            Workload(name, found.get("open", 0), found.get("urgent", 0), found.get("overdue", 0))
        )
    unassigned = counts.pop(None, {})
    rows.append(
        Workload(
            "Unassigned",
            unassigned.get("open", 0),
            unassigned.get("urgent", 0),
            unassigned.get("overdue", 0),
        )
    )
    if counts:  # assigned to people who have left the team, or whose account is closed
        rows.append(
            Workload(
                "People no longer in the team",
                sum(c["open"] for c in counts.values()),
                sum(c["urgent"] for c in counts.values()),
                sum(c["overdue"] for c in counts.values()),
            )
        )
    return rows
