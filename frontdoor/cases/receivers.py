"""A case for every submission, made in the transaction that sends it, and the team's
notice of it (cases.notices: it depends on the case's team and urgency)."""

from typing import Any

from frontdoor.cases import notices, services
from frontdoor.referrals.annotations import urgent_flags
from frontdoor.referrals.definitions import Definition
from frontdoor.referrals.models import Submission
from frontdoor.referrals.people import repeat_submissions
from frontdoor.referrals.tombstones import removed_repeats


def on_submission_sent(
    sender: Any, submission: Submission, definition: Definition, **kwargs: Any
) -> None:
    case = services.open_case(
        submission, definition, flags=urgent_flags(definition, submission.answers)
    )
    services.link_repeats(case, list(repeat_submissions(submission)))
    services.link_removed_repeats(case, removed_repeats(submission))
    notices.tell_team_of_arrival(case, definition)
