"""The emails that tell a team about a referral: a new one has arrived, or one has been
transferred to it.

They are sent from the case work, not from referrals, because they depend on the case:
the team it is in (a relation; a transfer moves it), whether its answers flag it as
urgent, and whether it arrived outside the council's office hours (cases.timescales) —
and referrals never imports cases. Each holds the reference, the form's title and team
names, never a name or an answer, and links to the referral's page through sign-in.

- A new referral: to its team's mailbox; an urgent one says "Urgent" in its subject and,
  out of hours (a weekend, a bank holiday, a council closure day, before or after office
  hours), goes to the Emergency Duty Team's mailbox too (settings.EMERGENCY_DUTY_MAILBOX).
- A transfer: to the mailbox of the team it went to (`tell_team_of_transfer`, called by
  cases.services.transfer).
"""

from typing import Any

from django.conf import settings

from frontdoor.accounts.models import Team
from frontdoor.cases import timescales
from frontdoor.cases.models import Case
from frontdoor.core.templatetags.govuk import govuk_datetime
from frontdoor.notifications.models import Email
from frontdoor.notifications.services import send
from frontdoor.referrals.definitions import Definition
from frontdoor.referrals.services import definition_of


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
    calendar = timescales.Calendar.from_settings()
    if case.urgent and edt and calendar.is_out_of_hours(case.received_at):
        # When the team is back: until then the Emergency Duty Team has it.
        opens = calendar.start_of_counting(case.received_at)
        emails.append(send(edt, "urgent_out_of_hours", {**context, "opens": govuk_datetime(opens)}))
    return emails


def tell_team_of_transfer(case: Case, from_team: Team) -> Email | None:
    """The notice to the team a case was just transferred to, from `from_team`: call it in
    transfer()'s transaction, once the case is in its new team. Returns the email queued
    (None when the team has no mailbox). The transfer's reason is not in it: it may say
    who the referral is about."""
    if not case.team.mailbox:
        return None
    context = _context(case, definition_of(case.submission.form_version))
    context["from_team"] = from_team.name
    return send(case.team.mailbox, "case_transferred", context)
