"""The test helper that sends a whole form works for every form, as a professional and not."""

import pytest

from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "slug",
    ["social-care-referral", "early-help-request", "lado-referral", "ehcna-request", "feedback"],
)
def test_every_form_can_be_sent(professional, teams, slug):
    submission = send(professional, slug)
    assert submission.reference.startswith("FD-")
    assert "your-details" in submission.answers or slug == "feedback"


def test_given_answers_are_sent(professional, member_of_public, teams):
    submission = send(
        professional,
        "social-care-referral",
        children=[CHILD, {**CHILD, "first_name": "Ben"}],
        immediate_risk={"at_risk_now": "yes"},
    )
    assert [c["first_name"] for c in submission.answers["children"]] == ["Ava", "Ben"]
    assert submission.answers["immediate-risk"]["at_risk_now"] == "yes"
    assert (
        send(member_of_public, "social-care-referral").answers["your-details"]["completing_as"]
        == "parent_carer"
    )
