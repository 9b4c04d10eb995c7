"""A transfer tells the team the referral goes to (reference only), with a link to it."""

import pytest
from django.core import mail

from frontdoor.cases import services
from tests.sending import send

pytestmark = pytest.mark.django_db


def test_the_new_team_is_told_of_a_transfer(professional, mash_staff, teams, run_tasks):
    submission = send(professional, "social-care-referral")
    run_tasks()
    mail.outbox.clear()
    services.transfer(
        submission.case, teams["early-help"], "Needs early help, not social care", mash_staff
    )
    run_tasks()
    to_team = [m for m in mail.outbox if m.to == [teams["early-help"].mailbox]]
    assert len(to_team) == 1
    assert submission.reference in to_team[0].body
    assert f"/team/{submission.reference}/" in to_team[0].body
    assert "Needs early help" not in to_team[0].body
    assert not [m for m in mail.outbox if m.to == [professional.email]]  # no email for this
