"""The email that tells a team a new referral has arrived.

It is sent from the case work, not from referrals, because it depends on the case:
the team it is in (a relation; a transfer moves it), whether its answers flag it as
urgent, and whether it arrived outside the council's office hours (cases.timescales) —
and referrals never imports cases. It holds the reference, the form's title and team
names, never a name or an answer, and links to the referral's page through sign-in.

A new referral's notice goes to its team's mailbox; an urgent one says "Urgent" in its
subject and, out of hours (a weekend, a bank holiday, a council closure day, before or
after office hours), goes to the Emergency Duty Team's mailbox too
(settings.EMERGENCY_DUTY_MAILBOX).
"""

from typing import Any

from django.conf import settings

from frontdoor.cases import timescales
from frontdoor.cases.models import Case
from frontdoor.notifications.models import Email
from frontdoor.notifications.services import send
from frontdoor.referrals.definitions import Definition


def _context(case: Case, definition: Definition) -> dict[str, Any]:
    return {
        "reference": case.submission.reference,
        "form": definition.title,
        "team": case.team.name,
        "urgent": case.urgent,
    }


def tell_team_of_arrival(case: Case, definition: Definition) -> list[Email]:
    """The team's notice of a referral just sent, and the Emergency Duty Team's when it is
    urgent and arrived out of hours. Called inside submit()'s transaction, by the
    submission_sent receiver, once the case is open. Returns the emails queued."""
    context = _context(case, definition)
    emails = []
    if case.team.mailbox:
        emails.append(send(case.team.mailbox, "submission_arrived", context))
    edt = settings.EMERGENCY_DUTY_MAILBOX
    if case.urgent and edt and timescales.is_out_of_hours(case.received_at):
        emails.append(send(edt, "urgent_out_of_hours", context))
    return emails
