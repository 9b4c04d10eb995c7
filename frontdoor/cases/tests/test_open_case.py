"""Every sent form gets its case, in the transaction that sends it: in its form's team, at
the first stage of the team's workflow, due by the form's timescale, with its urgency flags
and linked to earlier referrals about the same child."""

import pytest

from frontdoor.cases.models import Case
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db


def test_a_sent_form_has_its_case(professional):
    submission = send(
        professional,
        "social-care-referral",
        immediate_risk={"at_risk_now": "yes", "unsafe_tonight": "yes"},
    )
    case = Case.objects.get(submission=submission)
    assert case.team.slug == "social-care"
    assert case.stage == "received"
    assert case.flags == ["At risk of significant harm now", "Unsafe tonight"]
    assert case.urgent
    assert case.due_at is not None
    assert case.due_at > submission.sent_at
    assert case.assignee is None
    assert case.events.get().action == "received"


def test_a_form_without_urgent_answers_is_not_urgent(professional):
    case = send(professional, "lado-referral").case
    assert case.team.slug == "lado"
    assert case.flags == []
    assert not case.urgent


def test_a_second_referral_about_the_same_child_is_linked_both_ways(
    professional, second_professional
):
    first = send(professional, "social-care-referral", children=[CHILD])
    other_child = {**CHILD, "first_name": "Zachary", "last_name": "Other"}
    unrelated = send(professional, "social-care-referral", children=[other_child])
    second = send(second_professional, "social-care-referral", children=[CHILD])
    assert set(second.case.repeats.values_list("pk", flat=True)) == {first.pk}
    assert set(first.case.repeats.values_list("pk", flat=True)) == {second.pk}
    assert not unrelated.case.repeats.exists()
