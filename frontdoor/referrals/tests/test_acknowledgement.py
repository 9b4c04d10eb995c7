"""The referrer's acknowledgement of a sent form says how long they can see it: while it is
open and for 30 days after the decision (not after sending: an EHCNA takes 6 weeks)."""

import pytest
from django.core import mail

from tests.sending import send

pytestmark = pytest.mark.django_db


def test_the_acknowledgement_says_the_form_is_shown_until_30_days_after_the_decision(
    professional, teams, run_tasks
):
    submission = send(professional, "social-care-referral")
    run_tasks()

    [acknowledgement] = [m for m in mail.outbox if m.to == [professional.email]]
    assert submission.reference in acknowledgement.body
    text = " ".join(acknowledgement.body.split())
    assert "while we work on it and for 30 days after our decision" in text
    assert "after sending it" not in text
