"""Checks asked of partner agencies about a referral: one named function per action
(`ask_partner`, `chase`, `record_reply`), in the style of services.py: each locks the
case, refuses a closed case, a former team and (where the page sent one) a stale version,
and writes the history (CaseEvent) and the audit event (no personal data: the check's
key and agency only) in one transaction.

A check is overdue when no reply is recorded and its due date has passed: asked on a
Wednesday with the default of 1 working day (`PARTNER_CHECK_WORKING_DAYS`), it is due
Thursday and overdue from Friday; a closed referral's checks are overdue no more.
`overdue_checks` is the one definition, for the referral's page and the dashboard; the
inbox reads it from `Case.check_due_on` (`has_overdue_check`), which the services keep.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from frontdoor.accounts.models import User
from frontdoor.audit.services import record
from frontdoor.cases import timescales
from frontdoor.cases.models import Case, CaseEvent, Chase, PartnerCheck
from frontdoor.cases.services import NotAllowed, _changed, _event, _locked

CONTACT_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 10000
AGENCY_NAME_MAX_LENGTH = 200
CHASE_NOTE_MAX_LENGTH = 500


def default_due(asked_on: datetime.date) -> datetime.date:
    """When a partner is expected to answer a check asked on `asked_on`, unless staff say."""
    return timescales.working_days_after(asked_on, settings.PARTNER_CHECK_WORKING_DAYS)


def overdue_checks(today: datetime.date | None = None) -> QuerySet[PartnerCheck]:
    """The checks with no reply whose due date has passed, on open referrals (a closed
    one's check is past chasing): on any team's, filter further."""
    return PartnerCheck.objects.filter(
        replied_on=None, due_on__lt=today or timezone.localdate(), case__closed_at=None
    )


def has_overdue_check(today: datetime.date | None = None) -> Q:
    """For a query of cases: whether the case has an overdue check, from the column the
    services below keep (`Case.check_due_on`: no subquery, and an index for the inbox)."""
    return Q(check_due_on__lt=today or timezone.localdate(), closed_at=None)


def _keep_check_due_on(case: Case) -> None:
    """The case's `check_due_on` as its checks now say: the earliest due date of those
    with no reply (one UPDATE), by every service here that changes what they say."""
    waiting = PartnerCheck.objects.filter(case=OuterRef("pk"), replied_on=None)
    Case.objects.filter(pk=case.pk).update(
        check_due_on=Subquery(waiting.order_by("due_on").values("due_on")[:1])
    )


def _not_closed(case: Case) -> None:
    if case.closed_at is not None:
        raise NotAllowed("This referral is closed")


def _not_in_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise NotAllowed(f"{what} must be today or in the past")


def ask_partner(
    case: Case,
    agency: str,
    contact: str,
    by: User,
    *,
    agency_name: str = "",
    asked_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
) -> PartnerCheck:
    """Record a check asked of a partner agency. Due `PARTNER_CHECK_WORKING_DAYS` working
    days after it was asked unless `due_on` says otherwise. Like a note, it takes no
    version: two checks recorded at once are both kept."""
    contact, agency_name = contact.strip(), agency_name.strip()
    if agency not in PartnerCheck.Agency.values:
        raise NotAllowed("Select the agency asked")
    if agency == PartnerCheck.Agency.OTHER and not agency_name:
        raise NotAllowed("Enter the name of the agency")
    if not contact:
        raise NotAllowed("Enter who was asked")
    asked_on = asked_on or timezone.localdate()
    _not_in_future(asked_on, "The date asked")
    due_on = due_on or default_due(asked_on)
    if due_on < asked_on:
        raise NotAllowed("The due date must be the same as or after the date asked")
    with transaction.atomic():
        locked, _ = _locked(case, by, None)
        _not_closed(locked)
        at = timezone.now()
        check = PartnerCheck.objects.create(
            case=locked,
            team_id=locked.team_id,
            agency=agency,
            agency_name=agency_name,
            contact=contact,
            asked_on=asked_on,
            due_on=due_on,
            asked_by=by,
            recorded_at=at,
        )
        _changed(locked, [], at)
        _keep_check_due_on(locked)
        _event(locked, CaseEvent.Action.CHECK_ASKED, by, at, check=check.pk, agency=agency)
        record(
            "case.partner_check_asked",
            actor=by,
            obj=locked.submission,
            check=check.pk,
            agency=agency,
        )
        return check


def _locked_check(
    check: PartnerCheck, by: User, expected_version: int | None
) -> tuple[Case, PartnerCheck]:
    locked, _ = _locked(check.case, by, expected_version)
    _not_closed(locked)
    found = PartnerCheck.objects.select_for_update().get(pk=check.pk, case=locked)
    return locked, found


def chase(
    check: PartnerCheck,
    by: User,
    *,
    chased_on: datetime.date | None = None,
    note: str = "",
    due_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Chase:
    """Record a chase of a check not yet answered: when, by whom, how (optional), and
    perhaps a new due date (the partner promised it by Friday)."""
    chased_on = chased_on or timezone.localdate()
    _not_in_future(chased_on, "The date chased")
    note = note.strip()
    with transaction.atomic():
        locked, found = _locked_check(check, by, expected_version)
        if found.replied_on is not None:
            raise NotAllowed("The reply to this check has already been recorded")
        if chased_on < found.asked_on:
            raise NotAllowed("The date chased must be the same as or after the date asked")
        if due_on is not None and due_on < found.asked_on:
            raise NotAllowed("The due date must be the same as or after the date asked")
        at = timezone.now()
        made = Chase.objects.create(
            partner_check=found, chased_on=chased_on, by=by, note=note, recorded_at=at
        )
        detail: dict[str, object] = {"check": found.pk, "agency": found.agency}
        if due_on is not None and due_on != found.due_on:
            detail["due_before"] = found.due_on.isoformat()
            detail["due"] = due_on.isoformat()
            found.due_on = due_on
            found.save(update_fields=["due_on"])
        _changed(locked, [], at)
        _keep_check_due_on(locked)
        _event(locked, CaseEvent.Action.CHECK_CHASED, by, at, **detail)
        record("case.partner_check_chased", actor=by, obj=locked.submission, check=found.pk)
        return made


def record_reply(
    check: PartnerCheck,
    reply: str,
    by: User,
    *,
    replied_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> PartnerCheck:
    """Record what the partner said (a summary) and when. Once: a second reply recorded
    at the same time is refused, not lost in the first."""
    reply = reply.strip()
    if not reply:
        raise NotAllowed("Enter a summary of what came back")
    replied_on = replied_on or timezone.localdate()
    _not_in_future(replied_on, "The date it came back")
    with transaction.atomic():
        locked, found = _locked_check(check, by, expected_version)
        if found.replied_on is not None:
            raise NotAllowed("The reply to this check has already been recorded")
        if replied_on < found.asked_on:
            raise NotAllowed("The date it came back must be the same as or after the date asked")
        at = timezone.now()
        found.replied_on, found.reply, found.reply_recorded_by = replied_on, reply, by
        found.save(update_fields=["replied_on", "reply", "reply_recorded_by"])
        _changed(locked, [], at)
        _keep_check_due_on(locked)
        _event(locked, CaseEvent.Action.CHECK_REPLIED, by, at, check=found.pk, agency=found.agency)
        record("case.partner_check_replied", actor=by, obj=locked.submission, check=found.pk)
        return found
