"""A sent form's PDF copy in a real browser, JavaScript off: until the worker has made it,
the link opens a page that says so and offers to try again; then the same link downloads
it. For the referrer and for the receiving team. Every page is checked by axe-core."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.http import QueryDict
from playwright.sync_api import expect

from conftest import make_user
from frontdoor.accounts.models import Team, User
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Submission
from frontdoor.referrals.submissions import submit
from tests.browser.conftest import CheckedPage
from tests.browser.test_referral_forms import heading, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def sent_feedback(user: User) -> Submission:
    feedback = registry.get("feedback")
    draft = drafts.start(user, feedback)
    for slug, data in (
        ("about-you", "anonymous=yes"),
        ("your-feedback", "kind=complaint&what_happened=Nobody+called+back"),
    ):
        drafts.save_section(draft, feedback.section(slug), QueryDict(data), loaded_revision=0)
    return submit(draft.pk, user)


def wait_then_download(
    web: CheckedPage, page_title: str, run_pdf_tasks: Callable[[], None], name: str
) -> None:
    """From a sent form's page: the copy is not ready, then it is."""
    expect(web.main).to_contain_text("The PDF copy is still being made")
    web.page.screenshot(path=str(SCREENSHOTS / f"pdf-link-{name}.png"), full_page=True)
    web.follow("Download a copy (PDF)", within=web.main)
    heading(web, "Your PDF copy is being made")
    web.page.set_viewport_size({"width": 320, "height": 640})
    web.page.screenshot(path=str(SCREENSHOTS / f"pdf-preparing-{name}-320.png"), full_page=True)
    assert web.page.evaluate("document.documentElement.scrollWidth") <= 320  # reflows
    web.page.set_viewport_size({"width": 1024, "height": 700})
    web.page.screenshot(path=str(SCREENSHOTS / f"pdf-preparing-{name}.png"), full_page=True)
    web.submit("Try again")  # a link styled as a button: still not ready
    heading(web, "Your PDF copy is being made")

    run_pdf_tasks()
    with web.page.expect_download() as download:
        web.page.get_by_role("button", name="Try again", exact=True).click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    web.follow(page_title, within=web.main)
    expect(web.main).not_to_contain_text("still being made")
    with web.page.expect_download() as download:
        web.page.get_by_role("link", name="Download a copy (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_a_copy_being_made_says_so_then_downloads(
    open_page: Callable[..., CheckedPage],
    member_of_public: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
    run_pdf_tasks: Callable[[], None],
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first = sent_feedback(member_of_public)

    referrer = open_page(java_script_enabled=False)
    referrer.goto("/")
    sign_in(referrer, member_of_public.email, run_tasks)
    referrer.goto(f"/forms/sent/{first.reference}/")
    wait_then_download(referrer, f"Go back to form {first.reference}", run_pdf_tasks, "referrer")

    second = sent_feedback(member_of_public)  # its copy not made yet
    staff = make_user("feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True)
    staff.teams.add(teams["feedback"])
    team = open_page(java_script_enabled=False)
    team.goto("/")
    sign_in(team, staff.email, run_tasks)
    team.goto(f"/team/{second.reference}/")
    wait_then_download(team, f"Go back to form {second.reference}", run_pdf_tasks, "team")
