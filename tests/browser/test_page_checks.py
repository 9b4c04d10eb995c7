"""Checks axe-core does not make, on the pages that need them: the contrast of every link's
and button's text (axe-core missed white on white in the "Phone now" panel), reflow at
320 CSS pixels (WCAG 1.4.10), and the W3C HTML checker's own report of a broken page.
"""

import re
from collections.abc import Callable

import pytest
from django.http import QueryDict
from playwright.sync_api import expect

from conftest import make_user
from frontdoor.accounts.models import Team, User
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Submission
from frontdoor.referrals.submissions import record_outcome, submit
from tests.browser.conftest import (
    CheckedPage,
    HtmlChecker,
    HtmlPages,
    assert_contrast,
    assert_reflows,
    contrast_ratio,
)
from tests.browser.test_referral_forms import SOCIAL_CARE, heading, sign_in, start_form

pytestmark = pytest.mark.browser

# Unbroken text as long as a pasted link: it must wrap, not push the page wider.
LONG_WORD = "https://www.example.org/safeguarding/referrals/" + "x" * 40


def test_the_contrast_ratio_is_wcags() -> None:
    # The figures WCAG's own examples give: black on white 21:1, #767676 on white 4.54:1.
    assert contrast_ratio([0, 0, 0], [255, 255, 255]) == pytest.approx(21)
    assert contrast_ratio([118, 118, 118], [255, 255, 255]) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio([255, 255, 255], [255, 255, 255]) == pytest.approx(1)


def test_phone_now_and_the_pages_around_it_can_be_read(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    assert_contrast(web.page)  # the home page, signed out
    web.follow("Sign in", within=web.header)
    assert_contrast(web.page)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    assert_contrast(web.page)  # the home page, signed in
    start_form(web, SOCIAL_CARE)
    assert_contrast(web.page)  # the task list
    web.follow("Immediate risk", within=web.main)
    web.choose("Yes", group="Is the child at risk of significant harm now?")
    web.submit("Save and continue")

    heading(web, "Phone now")
    assert_contrast(web.page)
    web.follow("Continue with the form", within=web.main)
    heading(web, SOCIAL_CARE)


def sent_feedback(owner: User, what_happened: str) -> Submission:
    feedback = registry.get("feedback")
    draft = drafts.start(owner, feedback)
    for slug, data in (
        ("about-you", {"anonymous": "yes"}),
        ("your-feedback", {"kind": "complaint", "what_happened": what_happened}),
    ):
        answers = QueryDict(mutable=True)
        answers.update(data)
        drafts.save_section(draft, feedback.section(slug), answers, loaded_revision=0)
    return submit(draft.pk, owner)


def test_the_team_inbox_and_a_submission_reflow_at_320px(
    web: CheckedPage,
    member_of_public: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
) -> None:
    sent = [
        sent_feedback(member_of_public, f"Nobody called back ({n}). {LONG_WORD}") for n in range(6)
    ]
    # Staff in every team: the inbox names them all.
    staff = make_user("all.teams@council.example.gov.uk", "Fran", "Lee", is_professional=True)
    staff.teams.add(*teams.values())
    record_outcome(sent[0], "completed", f"We have called you back. {LONG_WORD}", staff)

    web.goto("/")
    sign_in(web, staff.email, run_tasks)
    web.follow("Your team's forms", within=web.main)
    heading(web, "Choose a team")  # one inbox per team
    web.follow("Feedback", within=web.main)
    heading(web, "Your team's forms")
    for submission in sent:
        expect(web.main).to_contain_text(submission.reference)
    assert_reflows(web.page, 320)  # from here on the window is 320 pixels wide

    web.follow(sent[0].reference, within=web.main)
    heading(web, "Feedback")
    expect(web.main).to_contain_text(LONG_WORD)
    assert_reflows(web.page, 320)


def test_the_html_checker_names_each_page_and_its_errors(html_checker: HtmlChecker) -> None:
    page = '<!DOCTYPE html><html lang="en"><head><title>A page</title></head><body>{}</body></html>'
    token = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    pages = HtmlPages(html_checker)
    pages.add(
        "http://testserver/good/",
        page.format("<h1>Fine</h1><h2>Also fine</h2>" + token.format("a")),
    )
    # The same page with another request's token is the same page: checked once.
    pages.add(
        "http://testserver/good/",
        page.format("<h1>Fine</h1><h2>Also fine</h2>" + token.format("b")),
    )
    pages.add("http://testserver/skips/", page.format("<h1>Title</h1><h3>Skipped a level</h3>"))
    assert len(pages.pages) == 2

    errors = pages.errors()

    assert len(errors) == 1, errors
    assert errors[0].startswith('"A page" at http://testserver/skips/ (/skips/) line 1: '), errors
    assert re.search(r"h3.*follows.*h1.*skipping 1 heading level", errors[0]), errors
