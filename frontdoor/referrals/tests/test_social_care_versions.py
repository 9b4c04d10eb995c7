"""The Social Care referral asks about immediate risk straight after "Your details" (version
4), so the advice to phone now comes before the long sections. Drafts started on version 3
(immediate risk 8th of 11) carry on with version 3's order, and can still be sent.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from frontdoor.referrals import registry
from frontdoor.referrals.definitions import read_definition
from frontdoor.referrals.models import Draft, Submission
from frontdoor.referrals.services import stored_version
from frontdoor.referrals.tests.test_pages import CHILD, start

pytestmark = pytest.mark.django_db

# Version 3 exactly as it was shipped (and is stored in councils' databases).
VERSION_3 = (
    Path(__file__).parent / "versions" / "social-care-referral-3" / "social-care-referral.yaml"
)
OLD_ORDER = [
    "your-details",
    "your-work",
    "children",
    "household",
    "others-involved",
    "consent",
    "reason",
    "immediate-risk",
    "level-of-need",
    "next-steps",
    "documents",
]
NEW_ORDER = ["your-details", "immediate-risk", *[s for s in OLD_ORDER[1:] if s != "immediate-risk"]]


def task_list_order(client: Client, draft: int) -> list[str]:
    page = client.get(f"/forms/draft/{draft}/").content.decode()
    return re.findall(
        rf'class="govuk-link govuk-task-list__link" href="/forms/draft/{draft}/([a-z-]+)/"', page
    )


def old_draft(professional) -> int:
    version_3 = read_definition(VERSION_3)
    assert version_3.version == 3
    assert registry.get("social-care-referral").version > 3
    return Draft.objects.create(owner=professional, form_version=stored_version(version_3)).pk


def test_a_new_draft_asks_about_immediate_risk_straight_after_your_details(professional_client):
    draft = start(professional_client, "social-care-referral")
    assert task_list_order(professional_client, draft) == NEW_ORDER


def test_a_draft_on_version_3_keeps_its_order(professional_client, professional):
    draft = old_draft(professional)
    assert task_list_order(professional_client, draft) == OLD_ORDER


@pytest.mark.parametrize("version", ["new", "old"])
def test_yes_to_immediate_risk_says_phone_now_then_goes_on_with_the_form(
    professional_client, professional, version
):
    draft = (
        start(professional_client, "social-care-referral")
        if version == "new"
        else old_draft(professional)
    )
    response = professional_client.post(
        f"/forms/draft/{draft}/immediate-risk/", {"revision": "0", "at_risk_now": "yes"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Phone now</h1>' in page
    assert f'href="/forms/draft/{draft}/"' in page
    assert Draft.objects.get(pk=draft).answers["immediate-risk"]["at_risk_now"] == "yes"


SECTIONS = {
    "your-details": {
        "completing_as": "professional",
        "first_name": "Priya",
        "last_name": "Patel",
        "email": "dsl@school.example.org",
        "telephone": "01905 765765",
    },
    "immediate-risk": {"at_risk_now": "no", "unsafe_tonight": "no"},
    "your-work": {"organisation": "Riverside Primary School", "job_title": "DSL"},
    "children/0": CHILD,
    "household/0": {"first_name": "Jo", "last_name": "Smith", "relationship": "Mother"},
    "consent": {"family_told": "yes", "consent_given": "yes"},
    "reason": {"reason": "Hungry all week."},
    "level-of-need": {"level_of_need": "level_3"},
    "next-steps": {},
}


@pytest.mark.parametrize("version", ["new", "old"])
def test_a_draft_on_either_version_is_sent_with_its_own_version(
    professional_client, professional, teams, version
):
    draft = (
        start(professional_client, "social-care-referral")
        if version == "new"
        else old_draft(professional)
    )
    for path, answers in SECTIONS.items():
        response = professional_client.post(
            f"/forms/draft/{draft}/{path}/", {"revision": "0", **answers}
        )
        assert response.status_code == 302, (path, response.content.decode()[:2000])
    check = professional_client.get(f"/forms/draft/{draft}/check/").content.decode()
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', check)
    order = NEW_ORDER if version == "new" else OLD_ORDER
    titles = {s.slug: s.title for s in registry.get("social-care-referral").sections}
    assert headings[: len(order)] == [titles[slug] for slug in order]
    professional_client.post(f"/forms/draft/{draft}/send/")
    submission = Submission.objects.get(draft_key=draft)
    current = registry.get("social-care-referral").version
    assert submission.form_version.version == (3 if version == "old" else current)
    assert submission.answers["immediate-risk"]["at_risk_now"] == "no"
