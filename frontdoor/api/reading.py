"""What the API says about a referral, read from its submission (the typed copy,
referrals/typed.py), its people index and its case. Never internal case notes, partner
checks or the history staff read: only what a case-management system imports."""

import base64
import binascii
import datetime
import json
from typing import Any

from django.db.models import Q, QuerySet

from frontdoor.api.models import ApiClient
from frontdoor.cases.models import Case
from frontdoor.referrals.definitions import Definition
from frontdoor.referrals.models import Submission
from frontdoor.referrals.services import definition_of

PAGE_SIZE = 100
REFERRER_FIELDS = ("first_name", "last_name", "organisation", "job_title", "email", "telephone")


class BadCursor(ValueError):
    pass


def cases_for(client: ApiClient) -> QuerySet[Case]:
    """The cases the client may read: in one of its teams now, and not restricted (a
    restricted referral is, to a system, as if it did not exist)."""
    teams = ApiClient.teams.through.objects.filter(apiclient_id=client.pk).values("team_id")
    return Case.objects.filter(team_id__in=teams, restricted_at=None)


def encode_cursor(case: Case) -> str:
    raw = json.dumps([case.updated_at.isoformat(), case.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pk = json.loads(raw)
        when = datetime.datetime.fromisoformat(at)
        if when.tzinfo is None or not isinstance(pk, int):
            raise BadCursor
        return when, pk
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor from None


def page(
    client: ApiClient,
    *,
    updated_since: datetime.datetime | None = None,
    stage: str | None = None,
    cursor: str | None = None,
) -> tuple[list[Case], str | None, bool]:
    """One page of the client's referrals, least recently updated first; the cursor to ask
    from next; and whether more are waiting now. The cursor is the (updated time, id) of
    the page's last row (the one given, on an empty page), so referrals that arrive or
    change meanwhile come after it: none is skipped, and a changed one is listed again. A
    system keeps the last cursor and polls with it."""
    cases = cases_for(client)
    if updated_since is not None:
        cases = cases.filter(updated_at__gt=updated_since)
    if stage:
        cases = cases.filter(stage=stage)
    if cursor:
        at, pk = decode_cursor(cursor)
        cases = cases.filter(Q(updated_at__gt=at) | Q(updated_at=at, pk__gt=pk))
    rows = list(
        cases.select_related("submission__form_version", "team")
        .only(
            "pk",
            "stage",
            "outcome",
            "received_at",
            "updated_at",
            "team__slug",
            "submission__reference",
            "submission__form_version__slug",
            "submission__form_version__version",
        )
        .order_by("updated_at", "pk")[: PAGE_SIZE + 1]
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, encode_cursor(rows[-1]) if rows else cursor, more


def summary(case: Case) -> dict[str, Any]:
    submission = case.submission
    return {
        "reference": submission.reference,
        "form": {"slug": submission.form_version.slug, "version": submission.form_version.version},
        "team": case.team.slug,
        "received": case.received_at,
        "stage": case.stage,
        "outcome": case.outcome or None,
        "updated": case.updated_at,
    }


def case_of(client: ApiClient, reference: str) -> Case | None:
    return (
        cases_for(client)
        .select_related("submission__form_version", "submission__owner", "team")
        .filter(submission__reference=reference)
        .first()
    )


def _anonymous(submission: Submission) -> bool:
    """Sent without an account, or "without your name and contact details" (feedback):
    nobody is named as its referrer (as on the staff page)."""
    return submission.owner_id is None or any(
        isinstance(answers, dict) and answers.get("anonymous") == "yes"
        for answers in submission.answers.values()
    )


def referrer(definition: Definition, submission: Submission) -> dict[str, str] | None:
    """Who sent it: as the form gave their details (the questions filled in from the
    account may be changed for one form), else as the account has them."""
    owner = submission.owner
    if owner is None or _anonymous(submission):
        return None
    found = {name: str(getattr(owner, name, "") or "") for name in REFERRER_FIELDS}
    for section in definition.sections:
        typed = submission.typed.get(section.slug)
        if section.person or not isinstance(typed, dict):
            continue
        for question in section.questions:
            value = typed.get(question.id)
            if question.prefill in REFERRER_FIELDS and isinstance(value, str) and value:
                found[question.prefill] = value
    return {
        "name": f"{found['first_name']} {found['last_name']}".strip(),
        "organisation": found["organisation"],
        "role": found["job_title"],
        "email": found["email"],
        "telephone": found["telephone"],
    }


def _answers(definition: Definition, typed: dict[str, Any]) -> dict[str, Any]:
    """Every typed answer, by section and question id, with the question's text."""

    def item(section_questions: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
        return {
            key: {"question": section_questions.get(key.split("__")[0], ""), "value": value}
            for key, value in values.items()
        }

    found: dict[str, Any] = {}
    for section in definition.sections:
        values = typed.get(section.slug)
        questions = {q.id: q.label for q in section.questions}
        if isinstance(values, list):
            found[section.slug] = [item(questions, v) for v in values if isinstance(v, dict)]
        elif isinstance(values, dict):
            found[section.slug] = item(questions, values)
    return found


def detail(case: Case) -> dict[str, Any]:
    submission = case.submission
    definition = definition_of(submission.form_version)
    people = [
        {
            "role": person.role,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "also_known_as": person.also_known_as,
            "date_of_birth": person.date_of_birth,
            "due_date": person.due_date,
            "nhs_number": person.nhs_number,
            "postcode": person.postcode,
            "uprn": person.uprn,
        }
        for person in submission.people.all()
    ]
    return {
        **summary(case),
        "urgent": case.urgent,
        "urgency_flags": list(case.flags),
        "referrer": referrer(definition, submission),
        "people": people,
        "answers": _answers(definition, submission.typed),
    }
