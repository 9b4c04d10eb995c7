"""A decision made through the case work keeps the email that tells the referrer, so the
referral's page can say whether it was sent (notifications.services.delivery_label)."""

import pytest
from django.core import mail

from frontdoor.accounts.models import Membership
from frontdoor.cases import services
from frontdoor.notifications.services import delivery_label, delivery_state
from tests.sending import send

pytestmark = pytest.mark.django_db


def test_the_decisions_email_to_the_referrer_is_kept_and_marked_sent(
    professional, mash_staff, run_tasks
):
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    submission = send(professional, "social-care-referral")
    run_tasks()
    mail.outbox.clear()

    services.decide(submission.case, "strategy-discussion", "We met today.", mash_staff)

    decision = submission.history.get(final=True)
    assert decision.email is not None
    assert delivery_state(decision.email) == "waiting"
    run_tasks()
    [message] = mail.outbox
    assert message.to == [professional.email]
    decision.email.refresh_from_db()
    assert delivery_state(decision.email) == "sent"
    assert delivery_label(decision.email).startswith("sent on ")
