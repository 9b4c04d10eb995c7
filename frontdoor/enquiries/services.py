"""Asking a referrer for more information, their answer, and information they add on
their own: one named function each, for the pages and (later) the API.

Staff (the team the referral is in now) ask (`ask_referrer`); the referrer is emailed the
reference only, and answers in the portal. An answer is a draft, saved as typed
(`save_answer`, `attach`, `remove_document`), until it is sent (`send_answer`); then it
never changes, and the team is emailed (reference only). A referrer may also add
information to a sent referral of their own (`start_adding`, then the same), at most
ENQUIRY_ADDITIONS_PER_DAY times in any 24 hours (`additions_wait`). The team
marks what came in as read (`acknowledge`): until then the inbox says "Information
received". Each step writes the case's history (CaseEvent) and the audit, in one
transaction with the change; the submission itself is never touched.
"""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.cases import services as cases
from frontdoor.cases import timescales
from frontdoor.cases.models import Case, CaseEvent
from frontdoor.cases.services import NotAllowed
from frontdoor.core.templatetags.govuk import govuk_datetime
from frontdoor.documents import services as documents
from frontdoor.documents.models import Document
from frontdoor.enquiries.models import Enquiry, EnquiryDocument
from frontdoor.notifications.services import send
from frontdoor.referrals.models import Submission
from frontdoor.referrals.presenting import no_reply_because
from frontdoor.referrals.services import definition_of
from frontdoor.referrals.submissions import visible_to_referrer

QUESTION_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 10000
ADDITIONS_WINDOW = datetime.timedelta(hours=24)


# --- Who may be asked ---------------------------------------------------------------------


def why_not_asked(submission: Submission) -> str:
    """Why the team cannot ask this referral's sender anything (for staff), or ""."""
    owner = submission.owner
    if owner is None:
        return "It was sent without an account: there is nobody to ask."
    if not owner.is_active:  # a leaver: they can no longer sign in to answer
        return "The sender's account is closed: they cannot sign in to answer."
    because = no_reply_because(submission)
    if "without your name" in because:
        return "It was sent without the sender's name and contact details: they cannot be asked."
    if because:
        return "The sender did not ask for a reply: they cannot be asked."
    return ""


def _case_locked(case: Case) -> Case:
    # Only the case's row is locked (the owner is on the nullable side of a join).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("team", "submission", "submission__owner", "submission__form_version")
        .get(pk=case.pk)
    )


def _may_act(by: User, case: Case) -> bool:
    """In the team the case is in now and, if it is restricted, one of those it names (the
    pages never get here otherwise: to them it is a 404; the API would)."""
    if not cases.may_act(by, case):
        return False
    return not case.is_restricted or case.restricted_to.filter(pk=by.pk).exists()


def _touched(case: Case, at: datetime.datetime) -> None:
    """The case changed (pages loaded before say so, as for a note)."""
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=at)


def _event(case: Case, action: str, by: User | None, at: datetime.datetime, **detail: Any) -> None:
    CaseEvent.objects.create(
        case=case, action=action, actor=by, at=at, team_id=case.team_id, detail=detail
    )


# --- Staff: asking, reading, acknowledging ------------------------------------------------


def ask_referrer(case: Case, question: str, by: User) -> Enquiry:
    """Ask the referrer a question. Only the team the referral is in asks, while it is
    open and its sender can be asked. The referrer is emailed (reference only); the
    question is due ENQUIRY_ANSWER_WORKING_DAYS working days on."""
    question = question.strip()
    if not question:
        raise NotAllowed("Enter your question for the referrer")
    if len(question) > QUESTION_MAX_LENGTH:
        raise NotAllowed(f"Your question must be {QUESTION_MAX_LENGTH} characters or fewer")
    with transaction.atomic():
        locked = _case_locked(case)
        if not _may_act(by, locked):
            raise PermissionDenied("Only the team the referral is in can ask")
        if locked.closed_at is not None:
            raise NotAllowed("This referral is closed")
        submission = locked.submission
        if why := why_not_asked(submission):
            raise NotAllowed(f"You cannot ask the referrer. {why}")
        owner = submission.owner
        assert owner is not None
        at = timezone.now()
        due = timescales.decision_due(
            at, settings.ENQUIRY_ANSWER_WORKING_DAYS, timescales.WORKING_DAYS
        )
        email = send(
            owner.email,
            "question_asked",
            {"first_name": owner.first_name, "reference": submission.reference},
        )
        enquiry = Enquiry.objects.create(
            case=locked,
            kind=Enquiry.Kind.QUESTION,
            team_id=locked.team_id,
            question=question,
            asked_by=by,
            asked_at=at,
            due_at=due,
            email=email,
        )
        _touched(locked, at)
        _keep_inbox_flags(locked)
        _event(locked, CaseEvent.Action.ASKED, by, at, enquiry=enquiry.pk)
        record("case.referrer_asked", actor=by, obj=submission, enquiry=enquiry.pk)
        return enquiry


def of_case(case: Case) -> list[Enquiry]:
    """The case's questions (answered or not) and the information sent in, oldest first,
    with their documents: not the drafts the referrer has not sent."""
    return list(
        Enquiry.objects.filter(case=case)
        .filter(Q(kind=Enquiry.Kind.QUESTION) | Q(answered_at__isnull=False))
        .select_related("asked_by", "team", "email", "seen_by")
        .prefetch_related(
            Prefetch("attachments", EnquiryDocument.objects.select_related("document"))
        )
    )


def unseen(case: Case) -> int:
    """Answers and information sent in that nobody in the team has marked as read."""
    return Enquiry.objects.filter(case=case, answered_at__isnull=False, seen_at=None).count()


def acknowledge(case: Case, by: User) -> int:
    """Mark what the referrer sent in as read by the team: the inbox's "Information
    received" goes. Returns how many were marked."""
    with transaction.atomic():
        locked = _case_locked(case)
        if not _may_act(by, locked):
            raise PermissionDenied("Only the team the referral is in can mark it read")
        at = timezone.now()
        marked = Enquiry.objects.filter(
            case=locked, answered_at__isnull=False, seen_at=None
        ).update(seen_at=at, seen_by=by)
        if marked:
            _touched(locked, at)
            _keep_inbox_flags(locked)
            _event(locked, CaseEvent.Action.INFORMATION_SEEN, by, at, count=marked)
            record("case.information_seen", actor=by, obj=locked.submission, count=marked)
        return marked


def document_for_staff(case: Case, enquiry_id: int, document_id: uuid.UUID) -> Document | None:
    """A document with a sent answer on this case (the caller scoped the case)."""
    link = (
        EnquiryDocument.objects.filter(
            enquiry_id=enquiry_id,
            enquiry__case=case,
            enquiry__answered_at__isnull=False,
            document_id=document_id,
        )
        .select_related("document")
        .first()
    )
    return link.document if link else None


def _keep_inbox_flags(case: Case) -> None:
    """The case's two inbox columns as its enquiries now say, worked out again from them
    (one UPDATE), by every service here that changes what they say:
    `information_unread` (an answer or information not yet marked read) and
    `question_due_at` (when the earliest question not yet answered is due)."""
    enquiries = Enquiry.objects.filter(case=OuterRef("pk"))
    waiting = enquiries.filter(kind=Enquiry.Kind.QUESTION, answered_at__isnull=True)
    Case.objects.filter(pk=case.pk).update(
        information_unread=Exists(enquiries.filter(answered_at__isnull=False, seen_at=None)),
        question_due_at=Subquery(waiting.order_by("due_at").values("due_at")[:1]),
    )


# --- The referrer: answering, adding information ----------------------------------------


def own_enquiries(user: User) -> QuerySet[Enquiry]:
    """The enquiries on the referrer's own sent forms that they may still see."""
    own = visible_to_referrer(Submission.objects.filter(owner=user))
    return Enquiry.objects.filter(case__submission__in=own.values("pk")).select_related(
        "case", "case__submission", "case__submission__form_version", "team"
    )


def for_referrer(submission: Submission) -> list[Enquiry]:
    """A referrer's view of their sent form's questions and additions (drafts included)."""
    return list(
        Enquiry.objects.filter(case_id=submission.pk).prefetch_related(
            Prefetch("attachments", EnquiryDocument.objects.select_related("document"))
        )
    )


def may_add(submission: Submission, case: Case | None = None) -> bool:
    """Whether the referrer may add information to their sent form: while it is open,
    and only where the team replies to its sender."""
    case = case or Case.objects.filter(pk=submission.pk).first()
    return case is not None and case.is_open and not why_not_asked(submission)


def why_not_added(submission: Submission) -> str:
    """Why the referrer cannot add information to their sent form (for them), or ""."""
    case = Case.objects.filter(pk=submission.pk).first()
    if case is None or not case.is_open:
        return "The team has made its decision and closed it."
    if no_reply_because(submission):
        return "You sent it without asking for a reply, so the team will not contact you about it."
    return ""


class TooManyAdditions(NotAllowed):
    """The referrer has sent ENQUIRY_ADDITIONS_PER_DAY additions to this referral in the
    last 24 hours: they may send another from `retry_at`. What they typed stays a draft."""

    def __init__(self, count: int, retry_at: datetime.datetime) -> None:
        self.count = count
        self.retry_at = retry_at
        super().__init__(
            f"You can send this from {govuk_datetime(retry_at)}: you have added information "
            f"to this form {count} time{'' if count == 1 else 's'} in the last 24 hours"
        )


def additions_wait(case_id: int, now: datetime.datetime | None = None) -> TooManyAdditions | None:
    """Whether the limit stops the referrer sending another addition to this referral now:
    the refusal (how many, and from when they may send again, rounded up to the minute so
    that trying then works), or None. Counted from the sent additions, which never change
    nor go while the referral is held: the referrer cannot give one back."""
    now = now or timezone.now()
    limit = settings.ENQUIRY_ADDITIONS_PER_DAY
    sent = [
        at
        for at in Enquiry.objects.filter(
            case_id=case_id, kind=Enquiry.Kind.OFFERED, answered_at__gt=now - ADDITIONS_WINDOW
        )
        .order_by("answered_at")
        .values_list("answered_at", flat=True)
        if at is not None
    ]
    if len(sent) < limit:
        return None
    # Free again 24 hours after the oldest of those that count.
    at = sent[len(sent) - limit] + ADDITIONS_WINDOW
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    return TooManyAdditions(len(sent), at)


def start_adding(submission: Submission, by: User) -> Enquiry:
    """The referrer's draft of information to add: the one already started, or a new one.
    A double click never starts two."""
    with transaction.atomic():
        case = Case.objects.filter(pk=submission.pk).first()
        if case is None or submission.owner_id != by.pk:
            raise PermissionDenied("Only the referrer adds information")
        locked = _case_locked(case)
        if not may_add(locked.submission, locked):
            raise NotAllowed("You cannot add information to this form now")
        draft = Enquiry.objects.filter(
            case=locked, kind=Enquiry.Kind.OFFERED, answered_at=None
        ).first()
        if draft is not None:
            return draft
        at = timezone.now()
        enquiry = Enquiry.objects.create(
            case=locked, kind=Enquiry.Kind.OFFERED, team_id=locked.team_id, asked_at=at
        )
        record("enquiry.started", actor=by, obj=enquiry)
        return enquiry


def _own_draft(enquiry: Enquiry, by: User) -> Enquiry:
    """The enquiry locked, for its referrer, while its answer is still a draft."""
    locked = (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("case__submission", "case__team", "asked_by")
        .get(pk=enquiry.pk)
    )
    if locked.case.submission.owner_id != by.pk:
        raise PermissionDenied("Only the referrer answers")
    if locked.answered_at is not None:
        raise NotAllowed("You have already sent this")
    return locked


def _own_draft_or_sent(enquiry: Enquiry, by: User) -> Enquiry:
    try:
        return _own_draft(enquiry, by)
    except NotAllowed:
        return Enquiry.objects.get(pk=enquiry.pk)


def save_answer(enquiry: Enquiry, text: str, by: User) -> Enquiry:
    """Keep the answer as typed (a draft): nothing is sent yet."""
    if len(text) > ANSWER_MAX_LENGTH:
        raise NotAllowed(f"Your answer must be {ANSWER_MAX_LENGTH} characters or fewer")
    with transaction.atomic():
        locked = _own_draft(enquiry, by)
        locked.answer, locked.saved_at = text, timezone.now()
        locked.save(update_fields=["answer", "saved_at"])
        record("enquiry.saved", actor=by, obj=locked)
        return locked


def has_content(enquiry: Enquiry) -> bool:
    """Whether a draft holds anything: text (more than spaces) or a document."""
    return bool(enquiry.answer.strip()) or documents_of(enquiry).exists()


def discard_if_empty(enquiry: Enquiry, by: User) -> bool:
    """Delete the referrer's draft of added information if it holds nothing (no text, no
    document), so that an "Add information" begun and left shows nowhere; whether it did.
    Never a draft with something in it, a sent one, or an answer to a question (the
    question stays, waiting)."""
    with transaction.atomic():
        try:
            locked = _own_draft(enquiry, by)
        except NotAllowed:
            return False
        if locked.kind != Enquiry.Kind.OFFERED or has_content(locked):
            return False
        record("enquiry.discarded", actor=by, obj=locked.case.submission, enquiry=locked.pk)
        locked.delete()
        return True


def documents_of(enquiry: Enquiry) -> QuerySet[Document]:
    return Document.objects.filter(
        pk__in=EnquiryDocument.objects.filter(enquiry=enquiry).values("document_id")
    )


def attach(enquiry: Enquiry, by: User, upload: UploadedFile[Any]) -> Document | documents.Refusal:
    """A professional's document with their answer, through the same checks, scan and
    limits as a draft's (documents.services)."""
    if enquiry.case.submission.owner_id != by.pk:
        raise PermissionDenied("Only the referrer answers")

    def lock() -> bool:
        return Enquiry.objects.select_for_update().filter(pk=enquiry.pk, answered_at=None).exists()

    def link(document: Document) -> None:
        EnquiryDocument.objects.create(enquiry=enquiry, document=document)
        Enquiry.objects.filter(pk=enquiry.pk).update(saved_at=document.uploaded_at)

    return documents.attach_elsewhere(
        enquiry,
        by,
        upload,
        lambda: documents_of(enquiry),
        lock,
        link,
        reference=enquiry.case.submission.reference,
    )


def remove_document(enquiry: Enquiry, document_id: Any, by: User) -> str | None:
    """Remove a document from a draft answer: its name, or None if it is not there."""
    try:
        key = uuid.UUID(str(document_id))
    except ValueError:
        return None
    with transaction.atomic():
        locked = _own_draft(enquiry, by)
        document = documents_of(locked).filter(pk=key).first()
        if document is None:
            return None
        name = document.name
        documents.discard(document, by, reference=enquiry.case.submission.reference)
        return name


def send_answer(enquiry: Enquiry, text: str, by: User) -> Enquiry:
    """Send the answer (or the information added) to the team: it never changes after.
    The team's mailbox, and the one who asked, are emailed (reference only); of a
    restricted referral, only the people it names."""
    text = text.strip()
    if len(text) > ANSWER_MAX_LENGTH:
        raise NotAllowed(f"Your answer must be {ANSWER_MAX_LENGTH} characters or fewer")
    with transaction.atomic():
        locked = _own_draft_or_sent(enquiry, by)
        if locked.answered_at is not None:
            return locked  # sent a moment ago (a double click): once only
        if not text and not documents_of(locked).exists():
            raise NotAllowed(
                "Enter your answer"
                if locked.kind == Enquiry.Kind.QUESTION
                else "Enter the information you want to add"
            )
        if locked.kind == Enquiry.Kind.OFFERED:
            # Each emails the team: a referrer cannot flood its mailbox. Counted with the
            # case's row locked (as _touched below would lock it), so that two sends at
            # the same moment cannot both get in under the limit.
            Case.objects.select_for_update().values_list("pk", flat=True).get(pk=locked.case_id)
            refused = additions_wait(locked.case_id)
            if refused is not None:
                raise refused
        at = timezone.now()
        locked.answer, locked.saved_at, locked.answered_at = text, at, at
        locked.save(update_fields=["answer", "saved_at", "answered_at"])
        case = locked.case
        action = (
            CaseEvent.Action.ANSWERED
            if locked.kind == Enquiry.Kind.QUESTION
            else CaseEvent.Action.INFORMATION_ADDED
        )
        _touched(case, at)
        _keep_inbox_flags(case)
        _event(case, action, by, at, enquiry=locked.pk)
        _tell_team(locked)
        record("enquiry.sent", actor=by, obj=case.submission, enquiry=locked.pk, kind=locked.kind)
        return locked


def _tell_team(enquiry: Enquiry) -> None:
    case = enquiry.case
    submission = case.submission
    context = {
        "reference": submission.reference,
        "form": definition_of(submission.form_version).title,
        "team": case.team.name,
        "answer": enquiry.kind == Enquiry.Kind.QUESTION,
    }
    if case.is_restricted:
        # Only those it names may know of it: not the team's mailbox (everyone in the team
        # reads it), nor whoever asked, if it was restricted since without them.
        for person in case.restricted_to.filter(is_active=True).order_by("pk"):
            send(person.email, "information_received", {**context, "first_name": person.first_name})
        return
    if case.team.mailbox:
        send(case.team.mailbox, "information_received", context)
    asker = enquiry.asked_by
    if asker is not None and asker.is_active and asker.email != case.team.mailbox:
        send(asker.email, "information_received", {**context, "first_name": asker.first_name})
