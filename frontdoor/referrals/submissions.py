"""Sending a draft: an immutable submission with a reference number, exactly once.

A double click, a resend or the back button never makes two submissions: the draft row is
locked while it is turned into a submission and deleted in the same transaction, and a
submission is unique per draft. The acknowledgement and the PDF copy are queued in that
transaction too, so a mail outage delays them but never loses them; so is the team's
notice, by the case work's receiver of `submission_sent` (frontdoor.cases.notices: it
depends on the case — its team, its urgency, the office hours — and referrals never
imports cases).
"""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.core.actors import System
from frontdoor.documents.services import hand_over
from frontdoor.notifications.services import send
from frontdoor.referrals.definitions import Definition, Section
from frontdoor.referrals.drafts import sections_for, shown_slugs
from frontdoor.referrals.models import Draft, ReferenceCounter, StatusChange, Submission
from frontdoor.referrals.pdf import queue_copy
from frontdoor.referrals.people import index_people
from frontdoor.referrals.presenting import asked, expects_reply
from frontdoor.referrals.services import definition_of, stored_version
from frontdoor.referrals.signals import submission_sent
from frontdoor.referrals.typed import typed_copy


class NotReady(Exception):
    """Some sections are not completed yet."""

    def __init__(self, sections: list[Section]) -> None:
        super().__init__(", ".join(s.title for s in sections))
        self.sections = sections


def unfinished(draft: Draft) -> list[Section]:
    """The sections still to complete before the draft can be sent."""
    definition = definition_of(draft.form_version)
    shown = shown_slugs(definition)
    missing = []
    for section in sections_for(draft.owner, definition):
        if section.slug in draft.completed or section.slug not in shown or section.documents:
            continue  # supporting documents are optional
        if (
            section.repeat is not None
            and section.repeat.min == 0
            and not draft.answers.get(section.slug)
        ):
            continue  # "add another adult" with none to add
        missing.append(section)
    return missing


def next_reference() -> str:
    """FD-2026-000123: numbered within the year, never twice (call inside a transaction)."""
    year = timezone.localdate().year
    if not ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year, last=1)
        except IntegrityError:  # the year's first two references, at the same moment
            ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = ReferenceCounter.objects.get(year=year).last
    return f"FD-{year}-{number:06d}"


def submit(draft_id: int, by: User) -> Submission:
    """Send the draft. Sending it again returns the same submission."""
    try:
        with transaction.atomic():
            draft = (
                Draft.objects.select_for_update()
                .select_related("form_version", "owner")
                .filter(pk=draft_id, owner=by)
                .first()
            )
            if draft is None:
                # Sent a moment ago (a double click): the same submission, not a second.
                return Submission.objects.get(draft_key=draft_id, owner=by)
            missing = unfinished(draft)
            if missing:
                raise NotReady(missing)
            definition = definition_of(draft.form_version)
            answers = _clean(definition, draft.answers)
            submission = Submission.objects.create(
                reference=next_reference(),
                owner=by,
                form_version=draft.form_version,
                team_slug=definition.team,
                answers=answers,
                typed=typed_copy(definition, answers, professional=by.is_professional),
                draft_key=draft.pk,
            )
            index_people(submission, definition)
            StatusChange.objects.create(submission=submission, status=StatusChange.Status.RECEIVED)
            hand_over(draft, submission)  # the documents go with it, before the draft goes
            draft.delete()
            queue_copy(submission)  # the PDF copy, made by the worker on its own queue
            send(
                by.email,
                "submission_received",
                {
                    "first_name": by.first_name,
                    "reference": submission.reference,
                    "form": definition.title,
                    "no_reply": not expects_reply(submission),
                },
            )
            submission_sent.send(Submission, submission=submission, definition=definition)
            record("submission.sent", actor=by, obj=submission, form=definition.slug)
            return submission
    except IntegrityError:
        # Two sends raced past the lock (SQLite has no row locks): one submission won.
        return Submission.objects.get(draft_key=draft_id, owner=by)


def submit_without_account(
    definition: Definition, answers: dict[str, Any], page_key: uuid.UUID
) -> Submission:
    """Send a form without an account (feedback): no owner, and nothing kept about who
    sent it, not even in the audit log. The same page sent twice makes one submission."""
    section = definition.without_account_section()
    if section is None:
        raise PermissionError(f"{definition.slug} cannot be sent without an account")
    try:
        with transaction.atomic():
            sent = _clean(definition, {section.slug: answers})
            submission = Submission.objects.create(
                reference=next_reference(),
                owner=None,
                form_version=stored_version(definition),
                team_slug=definition.team,
                answers=sent,
                typed=typed_copy(definition, sent, professional=False),
                page_key=page_key,
            )
            index_people(submission, definition)
            StatusChange.objects.create(submission=submission, status=StatusChange.Status.RECEIVED)
            queue_copy(submission)  # for the team: the PDF copy, made by the worker
            submission_sent.send(Submission, submission=submission, definition=definition)
            # No actor, no request: the event holds no account and no client address.
            record("submission.sent", obj=submission, form=definition.slug, without_account=True)
            return submission
    except IntegrityError:  # the same page, twice at once
        return Submission.objects.get(page_key=page_key)


def sent_from_page(page_key: uuid.UUID) -> Submission | None:
    """The submission already sent from this page (a double click or a refresh), if any."""
    return Submission.objects.filter(page_key=page_key).first()


def _clean(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as sent: without the draft's bookkeeping, and without answers to
    questions that were not asked. A conditional question's box is posted even when it is
    hidden (and shown to all without JavaScript), so the contact details prefilled before
    "send this without your name" was chosen must not travel with the form."""
    questions = {s.slug: {q.id: q for q in s.questions} for s in definition.sections}

    def asked_only(slug: str, item: dict[str, Any]) -> dict[str, Any]:
        known = questions.get(slug, {})
        return {
            k: v
            for k, v in item.items()
            if not k.startswith("_") and (k not in known or asked(known[k], item))
        }

    cleaned: dict[str, Any] = {}
    for slug, value in answers.items():
        if isinstance(value, list):
            cleaned[slug] = [asked_only(slug, item) for item in value if isinstance(item, dict)]
        elif isinstance(value, dict):
            cleaned[slug] = asked_only(slug, value)
        else:
            cleaned[slug] = value
    return cleaned


def record_outcome(
    submission: Submission,
    status: str,
    response: str,
    by: User | System | None,
    *,
    label: str = "",
    final: bool | None = None,
    tell: bool = True,
) -> StatusChange:
    """A step the referrer sees (a decision, say) with a response, and the referrer is
    emailed (reference only). `label` names the step (an outcome's name); without one,
    `status` must be one of StatusChange.Status; `tell=False` records it without an email.
    The case work (frontdoor.cases) calls this. `by` a System (an API client): no user,
    the client named in the audit."""
    user, system = (None, by) if isinstance(by, System) else (by, None)
    if not label and status not in StatusChange.Status.values:
        raise ValueError(f"Unknown status {status!r}")
    if final is None:
        final = status not in (
            StatusChange.Status.IN_PROGRESS,
            StatusChange.Status.MORE_INFORMATION,
        )
    with transaction.atomic():
        email = None
        if tell and submission.owner is not None:  # without an account: nobody to tell
            email = send(
                submission.owner.email,
                "response_available",
                {"first_name": submission.owner.first_name, "reference": submission.reference},
            )
        change = StatusChange.objects.create(
            submission=submission,
            status=status,
            label=label,
            final=final,
            response=response.strip(),
            by=user,
            email=email,  # staff see whether it went: notifications.services.delivery_label
        )
        named = system.audit_detail() if system is not None else {}
        record("submission.outcome_recorded", actor=user, obj=submission, status=status, **named)
    return change


def visible_to_referrer(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """Those a referrer still sees: open, or decided in the last SUBMISSION_VISIBLE_DAYS."""
    since = timezone.now() - datetime.timedelta(days=settings.SUBMISSION_VISIBLE_DAYS)
    decided_before = StatusChange.objects.filter(final=True, at__lt=since)
    return submissions.exclude(pk__in=decided_before.values("submission_id"))


def team_submissions(user: User) -> QuerySet[Submission]:
    """The submissions of the teams this staff member belongs to: nobody else's."""
    slugs = list(user.teams.values_list("slug", flat=True))
    return Submission.objects.filter(team_slug__in=slugs).select_related("form_version")
