"""Drafts: start, save a section, list, delete when expired. Nothing typed is ever lost.

Each save stores what was typed, valid or not. A section counts as completed when its
answers were all valid at its last save; only sending needs every section completed.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.audit.services import record, times_of
from frontdoor.notifications.services import send
from frontdoor.referrals.answers import FIELD_TYPES, section_form
from frontdoor.referrals.definitions import Definition, Section
from frontdoor.referrals.models import Draft
from frontdoor.referrals.services import definition_of, stored_version

NON_PROFESSIONAL_ROLES = ("parent_carer", "member_of_public", "young_person")


def roles_of(user: User) -> tuple[str, ...]:
    """What an account may complete forms as: the professional flag alone decides."""
    return ("professional",) if user.is_professional else NON_PROFESSIONAL_ROLES


def may_use(user: User, definition: Definition) -> bool:
    return any(role in definition.who for role in roles_of(user))


def sections_for(user: User, definition: Definition) -> list[Section]:
    """The sections this account is shown (supporting documents: professionals only)."""
    roles = roles_of(user)
    return [s for s in definition.sections if any(role in s.who for role in roles)]


class CannotStart(Exception):
    """A limit stops the account starting another draft now (its drafts are untouched).

    `retry_at` is None when it has DRAFTS_MAX_PER_FORM drafts of this form already (it
    sends or deletes one first); otherwise it has started DRAFTS_MAX_PER_HOUR drafts in
    the last hour, and may start another at `retry_at`.
    """

    def __init__(self, count: int, retry_at: datetime.datetime | None = None) -> None:
        super().__init__(f"{count} drafts")
        self.count = count
        self.retry_at = retry_at


def start(user: User, definition: Definition) -> Draft:
    if not may_use(user, definition):
        raise PermissionError("This account may not use this form")
    with transaction.atomic():
        # The account's row is locked while its drafts are counted, so that two "Start
        # now" at the same moment cannot both get in under a limit.
        User.objects.select_for_update().get(pk=user.pk)
        open_drafts = Draft.objects.filter(owner=user, form_version__slug=definition.slug).count()
        if open_drafts >= settings.DRAFTS_MAX_PER_FORM:
            raise CannotStart(open_drafts)
        hour_ago = timezone.now() - datetime.timedelta(hours=1)
        started = times_of("draft.started", user, hour_ago)
        if len(started) >= settings.DRAFTS_MAX_PER_HOUR:
            # Free again an hour after the oldest of the last hour's starts that count.
            oldest = started[len(started) - settings.DRAFTS_MAX_PER_HOUR]
            raise CannotStart(len(started), retry_at=oldest + datetime.timedelta(hours=1))
        draft = Draft.objects.create(owner=user, form_version=stored_version(definition))
        record("draft.started", actor=user, obj=draft, form=definition.slug)
    return draft


def drafts_of(user: User) -> QuerySet[Draft]:
    """The account's drafts, newest first: scoped to their owner, always."""
    return Draft.objects.filter(owner=user).select_related("form_version")


def about_the_sender(definition: Definition) -> list[Section]:
    """The sections about whoever sends the form: those filled in from their account
    ("Your details", "Your work")."""
    return [s for s in definition.sections if any(q.prefill for q in s.questions)]


def hand_over(draft_ids: list[int], to: User) -> None:
    """Give drafts to another account (a leaver's, to a colleague: administration.leavers).
    Every answer stays but those about the sender: those sections start again, filled in
    from the new owner's account when they open them, so that the form is sent as them.
    Each draft remembers whose it was, for the note its new owner is shown, and counts as
    saved now."""
    with transaction.atomic():
        for draft in Draft.objects.select_for_update().filter(pk__in=draft_ids):
            definition = definition_of(draft.form_version)
            for section in about_the_sender(definition):
                draft.answers.pop(section.slug, None)
                draft.completed = [slug for slug in draft.completed if slug != section.slug]
                # A page loaded before (the leaver's last tab) can no longer save over it.
                draft.revisions[section.slug] = int(draft.revisions.get(section.slug, 0)) + 1
            draft.handed_over_from_id = draft.owner_id
            draft.owner = to
            # The colleague has the whole of DRAFT_DAYS from now (and its reminder before):
            # a draft the leaver last saved weeks ago is not deleted days after it arrives.
            draft.saved_at = timezone.now()
            draft.reminded_at = None
            draft.save(
                update_fields=[
                    "owner",
                    "handed_over_from",
                    "answers",
                    "completed",
                    "revisions",
                    "saved_at",
                    "reminded_at",
                ]
            )


@dataclass(frozen=True)
class Saved:
    completed: bool
    # The section had been saved elsewhere (another tab) since this copy was loaded:
    # nothing was overwritten, and the page shows the newer answers.
    conflict: bool = False


def save_section(
    draft: Draft,
    section: Section,
    data: QueryDict,
    *,
    loaded_revision: int,
    item: int | None = None,
) -> tuple[Saved, Any]:
    """Store what was typed in one section (or one item of a repeating section).

    Returns the outcome and the bound form (for its errors). The section is stored even
    when its answers are not valid yet.
    """
    owner = draft.owner
    who = definition_of(draft.form_version).who
    form = section_form(section, who, owner.is_professional)(data)
    valid = form.is_valid()
    typed = form.typed_answers()
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        current = int(locked.revisions.get(section.slug, 0))
        if loaded_revision != current:
            return Saved(completed=section.slug in locked.completed, conflict=True), form
        answers: Any = typed
        if section.repeat is None:
            done = valid
        else:
            items = list(locked.answers.get(section.slug, []))
            index = len(items) if item is None else item
            if index < len(items):
                items[index] = {**typed, "_valid": valid}
            else:
                items.append({**typed, "_valid": valid})
            answers = items
            done = len(items) >= section.repeat.min and all(i.get("_valid") for i in items)
        locked.record_save(section.slug, answers=answers, completed=done)
    draft.refresh_from_db()
    return Saved(completed=done), form


def status_of(draft: Draft, section: Section) -> str:
    """GOV.UK task list status: not started, in progress or completed."""
    if section.slug in draft.completed:
        return "completed"
    if section.documents:
        # Optional: done as soon as a file is attached (or once saved with none).
        return "completed" if draft.documents.exists() else "not_started"
    if section.slug in draft.answers:
        return "in_progress"
    return "not_started"


def delete(draft: Draft, by: User) -> None:
    with transaction.atomic():
        record("draft.deleted", actor=by, obj=draft)
        draft.delete()


def delete_expired() -> int:
    """Drafts not saved for DRAFT_DAYS are deleted (a scheduled job). Records the count."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.DRAFT_DAYS)
    expired = Draft.objects.filter(saved_at__lt=cutoff)
    count = expired.count()
    if count:
        expired.delete()
        record("draft.expired_deleted", count=count)
    return count


def remind_before_deletion() -> int:
    """Email owners DRAFT_REMINDER_DAYS before a draft is deleted (once per last save)."""
    now = timezone.now()
    due = now - datetime.timedelta(days=settings.DRAFT_DAYS - settings.DRAFT_REMINDER_DAYS)
    count = 0
    found = Draft.objects.filter(saved_at__lt=due, reminded_at=None)
    for pk in list(found.values_list("pk", flat=True)):
        with transaction.atomic():
            # Looked at again under the draft's lock: saved since it was found (a later
            # deletion date, its reminder not due yet), or sent, it is left alone.
            draft = (
                Draft.objects.select_for_update(of=("self",))
                .select_related("owner")
                .filter(pk=pk, saved_at__lt=due, reminded_at=None)
                .first()
            )
            if draft is None:
                continue
            send(
                draft.owner.email,
                "draft_reminder",
                {
                    "first_name": draft.owner.first_name,
                    "deletes_on": f"{draft.deletes_at:%-d %B %Y}",
                },
            )
            Draft.objects.filter(pk=draft.pk).update(reminded_at=now)
            count += 1
    return count


def shown_slugs(definition: Definition) -> set[str]:
    """Sections with questions the portal asks: answers, or supporting documents."""
    return {
        s.slug
        for s in definition.sections
        if s.documents or any(q.type in FIELD_TYPES for q in s.questions)
    }


def item_title(section: Section, answers: dict[str, Any], index: int | None = None) -> str:
    """How one item of a repeating section is named in its list: "Ava Smith"; without a
    name, "Child (no name yet)", or with its place in the list, "child 2"."""
    name = " ".join(str(answers.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
    name = name or str(answers.get("name") or answers.get("full_name") or "").strip()
    item = section.repeat.item if section.repeat else "item"
    if not name and index is not None:
        return f"{item} {index + 1}"
    return name or f"{item.capitalize()} (no name yet)"


def remove_item(
    draft: Draft, section: Section, index: int, *, loaded_revision: int | None = None
) -> bool:
    """Remove one item (after the owner confirmed it). Refused (False) when the section
    changed since the confirmation page was loaded: the item there may be another now."""
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        if loaded_revision is not None and loaded_revision != int(
            locked.revisions.get(section.slug, 0)
        ):
            return False
        items = list(locked.answers.get(section.slug, []))
        if not 0 <= index < len(items):
            return False
        del items[index]
        valid = section.repeat is not None and len(items) >= section.repeat.min
        done = valid and all(i.get("_valid") for i in items)
        locked.record_save(section.slug, answers=items, completed=done)
    draft.refresh_from_db()
    return True


def saved_for_later(draft: Draft) -> str:
    """ "Save and come back later": the answers are saved already; tell the owner how to
    come back (no personal data in the email). Returns what the page says."""
    send(
        draft.owner.email,
        "draft_saved",
        {"first_name": draft.owner.first_name, "deletes_on": f"{draft.deletes_at:%-d %B %Y}"},
    )
    return (
        "Your answers have been saved. We have emailed you how to come back to this form. "
        f"It will be deleted on {draft.deletes_at:%-d %B %Y} if it is not sent."
    )
