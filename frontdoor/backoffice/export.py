"""The inbox's list as a CSV file: "Download as CSV" under the inbox's filters.

The file holds what the inbox lists at that moment, in its order: the same filters (the
GET query the inbox page had) and, if the team's search is on, the same search (its term
is in the session, never in a URL). Like the inbox, it leaves out referrals restricted
to other people.

No free text, by default: only what the portal itself sets or chose from a list
(reference, form, dates, stage, rating, who it is assigned to, the decision, the urgency
flags, how many children). Names and dates of birth are typed too, and name children, so
they come only when asked for ("Include children's names and dates of birth"); the
answers, notes, reasons and the referrer's details never do. Every cell goes through
core.spreadsheet, which neutralises anything a spreadsheet would read as a formula.

Streamed: the cases are read through a server-side cursor (`iterator(chunk_size=…)`),
CHUNK rows at a time, with one more query a chunk for their children (and one for the
names of forms no longer in use, if any); never a query a row, and never every row in
memory (10,000 rows: backoffice/tests/test_export.py). Each download is audited with the
filters (names and values: none is personal data), whether a search was on (never its
term) and whether names were included.
"""

import datetime
import itertools
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.backoffice import inbox
from frontdoor.backoffice.views import staff_only
from frontdoor.cases.models import Rating
from frontdoor.cases.workflows import workflow_for
from frontdoor.core.spreadsheet import csv_response
from frontdoor.referrals.models import Person

CHUNK = 1000
WITH_CHILDREN = "children"  # the query's option: "Include children's names…"
HEADER = [
    "Reference",
    "Form",
    "Team",
    "Received",
    "Decision due",
    "Overdue",
    "Stage",
    "Rating",
    "Assigned to",
    "Decision",
    "Decided",
    "Urgent",
    "Urgency flags",
    "Number of children",
    "Restricted",
]
CHILDREN_HEADER = ["Children's names", "Dates of birth"]
FIELDS = (
    "pk",
    "submission__reference",
    "submission__form_version_id",
    "submission__form_version__slug",
    "team__name",
    "team__slug",
    "received_at",
    "due_at",
    "decided_at",
    "closed_at",
    "stage",
    "rating",
    "assignee__first_name",
    "assignee__last_name",
    "outcome",
    "urgent",
    "flags",
    "restricted_at",
)


@staff_only
@require_safe
def export(request: HttpRequest, team: str) -> StreamingHttpResponse:
    user = request.user
    assert isinstance(user, User)
    teams, _ = inbox._teams(user)
    found = inbox._team_of(request, teams, team)
    data = request.GET
    filters = inbox.FilterForm(found, data).valid_filters() if data else {}
    term = (request.session.get(inbox.SEARCH_KEY) or {}).get(found.slug, "")
    now = timezone.now()
    stage = filters.get("stage", inbox.OPEN)
    cases = inbox.filtered(
        inbox.inbox_cases(found, stage, user=user), filters, user, now, searching=bool(term)
    )
    if term:
        cases = inbox.searched(cases, term)
    with_children = data.get(WITH_CHILDREN) == "yes"
    record(
        "inbox.exported",
        request=request,
        team=found.slug,
        filters={name: _said(value) for name, value in sorted(filters.items())},
        searching=bool(term),
        children=with_children,
    )
    # The team and the day only: the file's name is kept in the browser's downloads.
    filename = f"{found.slug}-referrals-{timezone.localdate(now).isoformat()}.csv"
    header = HEADER + (CHILDREN_HEADER if with_children else [])
    return csv_response(filename, header, rows(cases, now, with_children=with_children))


def _said(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def rows(cases: Any, now: datetime.datetime, *, with_children: bool) -> Iterator[list[Any]]:
    """The cases' rows, CHUNK at a time: one cursor for the cases, one query a chunk for
    their children."""
    zone = timezone.get_current_timezone()
    names: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    read = cases.values(*FIELDS).iterator(chunk_size=CHUNK)
    for chunk in itertools.batched(read, CHUNK):
        children = inbox.children_of([case["pk"] for case in chunk])
        forms = inbox._form_names(chunk)
        for case in chunk:
            slug = case["team__slug"]
            if slug not in names:
                workflow = workflow_for(slug)
                names[slug] = (
                    {s.slug: s.name for s in workflow.stages},
                    {o.slug: o.name for o in workflow.outcomes},
                )
            stages, outcomes = names[slug]
            form = forms.get(case["submission__form_version_id"], "")
            yield _row(case, form, children.get(case["pk"], []), stages, outcomes, now, zone) + (
                _names(children.get(case["pk"], [])) if with_children else []
            )


def _row(
    case: dict[str, Any],
    form: str,
    children: list[tuple[Any, ...]],
    stages: dict[str, str],
    outcomes: dict[str, str],
    now: datetime.datetime,
    zone: datetime.tzinfo,
) -> list[Any]:
    due = case["due_at"]
    waiting = case["closed_at"] is None and case["decided_at"] is None and due is not None
    assignee = " ".join(n for n in (case["assignee__first_name"], case["assignee__last_name"]) if n)
    outcome = case["outcome"]
    return [
        case["submission__reference"],
        form,
        case["team__name"],
        _when(case["received_at"], zone),
        _when(due, zone),
        bool(waiting and due <= now),
        stages.get(case["stage"], case["stage"]),
        Rating(case["rating"]).label if case["rating"] else "Not rated",
        assignee or "Unassigned",
        outcomes.get(outcome, outcome),
        _when(case["decided_at"], zone),
        case["urgent"],
        "; ".join(case["flags"] or []),
        len(children),
        case["restricted_at"] is not None,
    ]


def _when(moment: datetime.datetime | None, zone: datetime.tzinfo) -> str:
    """A time as a spreadsheet sorts it: 2026-12-02 14:05 (the council's time)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _names(children: list[tuple[Any, ...]]) -> list[str]:
    """The children's names and dates of birth, each in one cell, in the same order."""
    names, born = [], []
    for role, first_name, last_name, date_of_birth, due_date in children:
        names.append(" ".join(n for n in (first_name, last_name) if n) or "Name not given")
        if role == Person.Role.UNBORN:
            born.append(f"unborn (due {due_date.isoformat()})" if due_date else "unborn")
        else:
            born.append(date_of_birth.isoformat() if date_of_birth else "not given")
    return ["; ".join(names), "; ".join(born)]
