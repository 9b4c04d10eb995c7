"""Many referrals at once, for the inbox's query-count tests and `make bench`.

`copies(template, count)` makes `count` copies of a sent submission (made with
tests/sending.py `send()`, so its answers, typed copy and people are real) with
bulk_create: each its own reference, sending time, case and children, with names, dates of
birth and NHS numbers that vary; every fifth one overdue, and (copies of an urgent one)
every seventh one urgent.
Thousands take seconds; going through the forms would take minutes.
"""

import datetime
import itertools

from django.utils import timezone

from frontdoor.cases.models import Case
from frontdoor.referrals.models import Person, Submission

FIRST_NAMES = (
    "Ava",
    "Noah",
    "Chloë",
    "Oliver",
    "Amelia",
    "Muhammad",
    "Isla",
    "Leo",
    "Freya",
    "Jack",
)
LAST_NAMES = ("Smith", "Jones", "O'Brien", "Smith-Jones", "Khan", "Nowak", "Evans", "Brown")
_NUMBERS = itertools.count(1)


def copies(template: Submission, count: int, *, start: int | None = None) -> list[Case]:
    """`count` copies of `template` (and of its case and children), in the same team."""
    from frontdoor.referrals.people import normalise

    case = Case.objects.get(submission=template)
    children = [p for p in template.people.all() if p.role in (Person.Role.CHILD,)]
    first = start if start is not None else 900000 - count * next(_NUMBERS)
    now = timezone.now()
    submissions = []
    for n in range(count):
        sent = now - datetime.timedelta(hours=n + 1)
        submissions.append(
            Submission(
                reference=f"FD-{now.year}-{first + n:06d}",
                owner_id=template.owner_id,
                form_version_id=template.form_version_id,
                team_slug=template.team_slug,
                answers=template.answers,
                typed=template.typed,
                draft_key=10**12 + first + n,
                sent_at=sent,
            )
        )
    made = Submission.objects.bulk_create(submissions, batch_size=1000)
    cases = []
    people = []
    for n, submission in enumerate(made):
        sent = submission.sent_at
        overdue = n % 5 == 0
        urgent = bool(case.flags) and n % 7 == 0
        cases.append(
            Case(
                submission=submission,
                team_id=case.team_id,
                stage=case.stage,
                flags=case.flags if urgent else [],
                urgent=urgent,
                received_at=sent,
                due_at=now - datetime.timedelta(minutes=30 + n)
                if overdue
                else now + datetime.timedelta(hours=n + 1),
                updated_at=sent,
            )
        )
        for position, child in enumerate(children or [None]):
            first_name = FIRST_NAMES[(n + position) % len(FIRST_NAMES)]
            last_name = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
            people.append(
                Person(
                    submission=submission,
                    section=child.section if child else "children",
                    position=position,
                    role=Person.Role.CHILD,
                    first_name=first_name,
                    last_name=last_name,
                    first_key=normalise(first_name),
                    last_key=normalise(last_name),
                    date_of_birth=datetime.date(2010 + n % 14, 1 + n % 12, 1 + n % 28),
                    nhs_number=f"{9000000000 + first + n:010d}",
                    postcode=child.postcode if child else "",
                )
            )
    Case.objects.bulk_create(cases, batch_size=1000)
    Person.objects.bulk_create(people, batch_size=1000)
    return cases
