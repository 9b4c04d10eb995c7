"""A referrer sees a sent form while it is open, and for 30 days after its decision (not 30
days after sending: an EHCNA decision takes 6 weeks)."""

import datetime

import pytest
from django.utils import timezone

from conftest import signed_in
from frontdoor.referrals.models import StatusChange
from frontdoor.referrals.submissions import record_outcome
from tests.sending import send

pytestmark = pytest.mark.django_db


def test_an_open_form_sent_long_ago_is_still_shown(professional, teams, run_tasks):
    submission = send(professional, "ehcna-request")
    StatusChange.objects.filter(submission=submission).update(
        at=timezone.now() - datetime.timedelta(days=45)
    )
    type(submission).objects.filter(pk=submission.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=45)
    )
    client = signed_in(professional, run_tasks)
    assert client.get(f"/forms/sent/{submission.reference}/").status_code == 200
    assert submission.reference in client.get("/forms/sent/").content.decode()


def test_a_decided_form_is_shown_for_30_days_after_the_decision(
    professional, teams, feedback_staff, run_tasks
):
    submission = send(professional, "ehcna-request")
    change = record_outcome(
        submission, "agree_to_assess", "We will assess.", None, label="Agree to assess", final=True
    )
    client = signed_in(professional, run_tasks)
    StatusChange.objects.filter(pk=change.pk).update(
        at=timezone.now() - datetime.timedelta(days=29)
    )
    page = client.get(f"/forms/sent/{submission.reference}/").content.decode()
    assert "Agree to assess" in page
    assert "We will assess." in page
    StatusChange.objects.filter(pk=change.pk).update(
        at=timezone.now() - datetime.timedelta(days=31)
    )
    assert client.get(f"/forms/sent/{submission.reference}/").status_code == 404
    assert submission.reference not in client.get("/forms/sent/").content.decode()


def test_a_step_that_is_not_final_keeps_the_form_shown(professional, teams, run_tasks):
    submission = send(professional, "feedback")
    change = record_outcome(submission, "in_progress", "", None)
    assert change.final is False
    assert change.label == "In progress"
    StatusChange.objects.filter(submission=submission).update(
        at=timezone.now() - datetime.timedelta(days=60)
    )
    client = signed_in(professional, run_tasks)
    assert client.get(f"/forms/sent/{submission.reference}/").status_code == 200
