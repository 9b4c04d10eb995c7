"""Pages the URL walk (tests/coverage_walk.py) found no axe check for, in a real browser:
the footer's pages, a forgotten password, changing the email address and the password,
being timed out, deleting a draft, and a team's inbox and a form sent to it.

Every page visited is checked by axe-core and must log no console error or CSP
violation (see conftest.py).
"""

import re
from collections.abc import Callable

import pytest
from django.http import QueryDict
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from conftest import PASSWORD, last_code, make_user
from frontdoor.accounts.models import Team, User
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Draft, Submission
from frontdoor.referrals.submissions import submit
from tests.browser.conftest import CheckedPage
from tests.browser.test_referral_forms import heading, sign_in

pytestmark = pytest.mark.browser

NEW_EMAIL = "priya.patel@riverside.example.org"
NEW_PASSWORD = "Harbour-Violet-Quiz84"
RESET_PASSWORD = "Meadow-Copper-Swift61"


def test_the_footers_pages(web: CheckedPage) -> None:
    web.goto("/")
    footer = web.page.get_by_role("contentinfo")
    for link in (
        "Help using this service",
        "Contact us",
        "Accessibility statement",
        "Privacy notice",
        "Cookies",
    ):
        web.follow(link, within=footer)
        expect(web.page.get_by_role("heading", level=1)).to_be_visible()
        expect(web.page).not_to_have_title(re.compile("not found", re.IGNORECASE))


def test_change_email_and_password_then_reset_a_forgotten_password(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    web.follow("Your details", within=web.header)

    web.follow("Change email address", within=web.main)
    heading(web, "Change your email address")
    web.fill("New email address", NEW_EMAIL)
    web.fill("Your password", PASSWORD)
    web.submit("Send code")
    heading(web, "Confirm your new email address")
    run_tasks()
    web.fill("Verification code", last_code(NEW_EMAIL))
    web.submit("Submit")
    expect(web.page.get_by_role("alert")).to_contain_text("Your email address has been changed.")
    expect(web.main).to_contain_text(NEW_EMAIL)

    web.follow("Change password", within=web.main)
    heading(web, "Change your password")
    web.fill("Current password", PASSWORD)
    web.fill("New password", NEW_PASSWORD)
    web.fill("Confirm new password", NEW_PASSWORD)
    web.submit("Change password")
    expect(web.page.get_by_role("alert")).to_contain_text("Your password has been changed.")

    web.submit("Sign out")
    heading(web, "You have signed out")
    web.follow("Sign in", within=web.header)
    web.follow("Forgotten password?", within=web.main)
    heading(web, "Forgotten password")
    web.fill("Email address", NEW_EMAIL)
    web.submit("Send me a code")
    heading(web, "Enter the code we emailed you")
    run_tasks()
    web.fill("Verification code", last_code(NEW_EMAIL))
    web.submit("Continue")
    heading(web, "Choose a new password")
    web.fill("New password", RESET_PASSWORD)
    web.fill("Confirm new password", RESET_PASSWORD)
    web.submit("Change password")
    heading(web, "Secure login - step 1")
    expect(web.page.get_by_role("alert")).to_contain_text("Your password has been changed.")

    sign_in(web, NEW_EMAIL, run_tasks, password=RESET_PASSWORD)


def test_timed_out_page_offers_to_sign_in_again(
    open_page: Callable[..., CheckedPage],
    professional: User,
    run_tasks: Callable[[], None],
    settings: Settings,
) -> None:
    # Without JavaScript, so the time-out warning's own checks cannot move the page on.
    web = open_page(java_script_enabled=False)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    settings.SESSION_IDLE_MINUTES = 0  # the live server reads settings at each request

    web.follow("Your details", within=web.header)

    heading(web, "You have been signed out")
    web.follow("Sign in again", within=web.main)
    heading(web, "Secure login - step 1")
    assert web.page.url.endswith("/account/sign-in/?next=/account/details/"), web.page.url


def test_deleting_a_draft(
    web: CheckedPage, member_of_public: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, member_of_public.email, run_tasks)
    web.follow("Start a form", within=web.main)
    web.follow("Feedback", within=web.main)
    web.submit("Start now")
    draft = re.search(r"/forms/draft/(\d+)/$", web.page.url)
    assert draft, web.page.url

    web.follow("Delete this form", within=web.main)
    heading(web, "Are you sure you want to delete this Feedback form?")
    web.submit("Delete form")

    expect(web.page.get_by_role("alert")).to_contain_text(
        "Your draft Feedback form has been deleted."
    )
    assert not Draft.objects.filter(pk=int(draft.group(1))).exists()


def test_team_inbox_and_deciding(
    web: CheckedPage,
    member_of_public: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
) -> None:
    feedback = registry.get("feedback")
    draft = drafts.start(member_of_public, feedback)
    for slug, data in (
        ("about-you", "anonymous=yes"),
        ("your-feedback", "kind=complaint&what_happened=Nobody+called+back"),
    ):
        drafts.save_section(draft, feedback.section(slug), QueryDict(data), loaded_revision=0)
    submission: Submission = submit(draft.pk, member_of_public)
    staff = make_user("feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True)
    staff.teams.add(teams["feedback"])

    web.goto("/")
    sign_in(web, staff.email, run_tasks)
    web.follow("Your team's forms", within=web.main)
    heading(web, "Your team's forms")
    web.follow(submission.reference, within=web.main)
    heading(web, "Feedback")
    expect(web.main).to_contain_text("Nobody called back")

    # Sent anonymously: the decision, but no response (nobody is waiting for one).
    web.choose("Responded", group="Decision")
    web.submit("Continue")
    heading(web, "Decide")
    expect(web.main.get_by_label("Response for the referrer")).to_have_count(0)
    web.submit("Send the decision")

    expect(web.page.get_by_role("alert")).to_contain_text("Decision sent")
    assert submission.history.last().status == "responded"
