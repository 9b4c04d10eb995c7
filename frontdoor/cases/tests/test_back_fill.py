"""The migration that gives every submission sent before cases existed its case: run for
real, from the schema before it, on submissions made then."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from frontdoor.cases.models import Case
from frontdoor.referrals.models import StatusChange, Submission
from tests.sending import CHILD, send

BEFORE = [("cases", "0001_cases")]


@pytest.mark.django_db(transaction=True)
def test_the_back_fill_gives_each_old_submission_its_case(professional, second_professional):
    urgent = send(professional, "social-care-referral", immediate_risk={"at_risk_now": "yes"})
    again = send(second_professional, "social-care-referral", children=[CHILD])
    decided = send(professional, "feedback")
    StatusChange.objects.create(
        submission=decided, status="completed", label="Completed", final=True
    )
    Case.objects.all().delete()  # as before cases existed
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    case = Case.objects.get(pk=urgent.pk)
    assert case.team.slug == "social-care"
    assert case.stage == "received"
    assert case.flags == ["At risk of significant harm now"]
    assert case.urgent
    assert case.received_at == urgent.sent_at
    assert case.due_at is not None
    assert case.due_at - urgent.sent_at <= datetime.timedelta(days=5)  # one working day
    assert set(case.repeats.values_list("pk", flat=True)) == {again.pk}
    assert case.events.get().action == "received"
    closed = Case.objects.get(pk=decided.pk)
    assert closed.closed_at is not None
    assert closed.stage == "closed"
    assert closed.outcome == "completed"
    assert Submission.objects.count() == Case.objects.count() == 3
