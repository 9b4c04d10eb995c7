"""Feedback without an account, in a real browser with JavaScript off: the start page, the
one page (a mistake first), the confirmation, and the team's view with no sender. Every
page is checked with axe-core, reflows at 320 px, and is kept as a screenshot."""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.referrals.models import Submission
from tests.browser.conftest import CheckedPage
from tests.browser.test_referral_forms import heading, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/frontdoor-screenshots"))
REFERENCE = re.compile(r"^FD-\d{4}-\d{6}$")


def look(web: CheckedPage, name: str) -> None:
    """Keep a screenshot, and check the page fits 320 px without sideways scrolling."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    web.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    size = web.page.viewport_size
    web.page.set_viewport_size({"width": 320, "height": 800})
    try:
        overflow = web.page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 320, f"{name} is {overflow}px wide at 320px"
        web.page.screenshot(path=str(SHOTS / f"{name}-320.png"), full_page=True)
    finally:
        assert size is not None
        web.page.set_viewport_size(size)


def test_feedback_without_an_account_with_javascript_off(
    open_page: Callable[..., CheckedPage],
    teams: dict[str, object],
    run_tasks: Callable[[], None],
) -> None:
    web = open_page(java_script_enabled=False)
    web.goto("/forms/feedback/")
    heading(web, "Feedback")
    expect(web.main.get_by_role("link", name="Log in or Register")).to_be_visible()
    look(web, "feedback-start")

    web.follow("Give feedback without an account", within=web.main)
    heading(web, "Give feedback without an account")
    expect(web.main).to_contain_text("we cannot reply to it")
    look(web, "feedback-without-account")

    web.fill("What happened?", "Nobody called me back for three weeks.")
    web.submit("Send feedback")
    summary = web.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("What kind of feedback is it?")
    expect(web.field("What happened?")).to_have_value("Nobody called me back for three weeks.")
    look(web, "feedback-without-account-error")

    web.choose("Complaint", group="What kind of feedback is it?")
    web.submit("Send feedback")
    heading(web, "Feedback sent")
    reference = web.page.locator(".govuk-panel--confirmation strong").inner_text().strip()
    assert REFERENCE.match(reference), reference
    expect(web.main).to_contain_text("will not reply")
    look(web, "feedback-sent-without-account")
    submission = Submission.objects.get(reference=reference)
    assert submission.owner is None


def test_the_team_sees_feedback_without_an_account_with_no_sender(
    open_page: Callable[..., CheckedPage],
    teams: dict[str, object],
    run_tasks: Callable[[], None],
) -> None:
    from conftest import make_user

    public = open_page(java_script_enabled=False)
    public.goto("/forms/feedback/without-an-account/")
    public.choose("Compliment", group="What kind of feedback is it?")
    public.fill("What happened?", "The worker was kind and listened.")
    public.submit("Send feedback")
    reference = public.page.locator(".govuk-panel--confirmation strong").inner_text().strip()

    staff: User = make_user(
        "feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True
    )
    staff.teams.add(teams["feedback"])  # type: ignore[attr-defined]
    web = open_page(java_script_enabled=False)
    web.goto("/")
    sign_in(web, staff.email, run_tasks)
    web.goto(f"/team/{reference}/")
    heading(web, "Feedback")
    expect(web.main).to_contain_text("Sent without an account. Nobody knows who sent it")
    expect(web.main).to_contain_text("The worker was kind and listened.")
    expect(web.main.get_by_label("Response for the referrer")).to_have_count(0)
    look(web, "team-feedback-without-account")
