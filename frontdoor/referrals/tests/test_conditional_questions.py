"""A question asked only after one answer ("Date of birth" after "No" to "Is this an unborn
baby?") is shown inside that answer (GOV.UK conditional reveal): without JavaScript both
dates are on the page, each under the answer it belongs to, so it is clear which applies."""

import re

import pytest

from frontdoor.referrals import registry
from frontdoor.referrals.answers import section_form
from frontdoor.referrals.tests.test_pages import start

pytestmark = pytest.mark.django_db


def inside(page: str, radio_id: str) -> str:
    """What is shown inside one answer: the conditional block the radio controls."""
    radio = re.search(rf'<input [^>]*id="{radio_id}"[^>]*>', page)
    assert radio, radio_id
    controls = re.search(r'data-fd-reveals="([^"]+)"', radio.group(0))
    assert controls, f"{radio_id} reveals nothing: {radio.group(0)}"
    hidden = "govuk-radios__conditional govuk-radios__conditional--hidden"
    start = page.index(f'<div class="{hidden}" id="{controls.group(1)}">')
    # The block ends where the next answer begins.
    end = page.index('<div class="govuk-radios__item">', start)
    return page[start:end]


@pytest.mark.parametrize("slug", ["social-care-referral", "early-help-request"])
def test_the_childs_date_of_birth_and_due_date_are_each_under_their_answer(
    professional_client, slug
):
    draft = start(professional_client, slug)
    page = professional_client.get(f"/forms/draft/{draft}/children/0/").content.decode()
    yes, no = inside(page, "id_is_unborn_0"), inside(page, "id_is_unborn_1")
    assert 'id="id_due_date"' in yes
    assert "Expected date of delivery" in yes
    assert "Date of birth" not in yes
    assert 'id="id_date_of_birth"' in no
    assert "Expected date of delivery" not in no
    # Each asked once, and the radios are stacked (GOV.UK: no reveal with inline radios).
    assert page.count('id="id_date_of_birth"') == 1
    assert page.count('id="id_due_date"') == 1
    radios = re.search(
        r'<div class="(govuk-radios[^"]*)"[^>]*>\s*<div class="govuk-radios__item">\s*'
        r'<input [^>]*id="id_is_unborn_0"',
        page,
    )
    assert radios
    assert radios.group(1) == "govuk-radios"


def test_the_chosen_answers_questions_are_shown_when_the_page_comes_back(professional_client):
    draft = start(professional_client, "social-care-referral")
    page = professional_client.post(
        f"/forms/draft/{draft}/children/0/", {"revision": "0", "is_unborn": "yes"}
    ).content.decode()
    assert '<div class="govuk-radios__conditional" id="conditional-id_is_unborn_0">' in page
    assert 'id="conditional-id_is_unborn_1"' in page


def test_only_single_boxes_after_a_choice_are_moved_inside_it():
    feedback = registry.get("feedback")
    # "Send without your name?" is followed by an address (its own buttons): left after it.
    about_you = section_form(feedback.section("about-you"), feedback.who, False)()
    assert about_you.revealed == {}
    consent = registry.get("social-care-referral").section("consent")
    form = section_form(consent, ("professional",), True)()
    assert {
        answer: [f.name for f in fields]
        for answer, fields in form.revealed["consent_given"].items()
    } == {
        "yes": ["consent_given_by"],
        "no": ["no_consent_reason"],
    }
