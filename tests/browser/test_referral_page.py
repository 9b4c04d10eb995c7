"""A referral's staff page and the decision journey in a real browser, with and without
JavaScript: every page checked by axe-core (and the W3C checker), reflowing at 320 px,
its links and buttons in contrast, the main steps done with the keyboard; screenshots
kept for a person to look at (SCREENSHOTS, default /tmp/shots)."""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import make_user
from frontdoor.accounts.models import Membership, Team, User
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.cases import services
from frontdoor.cases.models import Case
from tests.browser.conftest import CheckedPage, screenshots
from tests.browser.test_referral_forms import heading, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots"))


def shot(web: CheckedPage, name: str) -> None:
    screenshots(web, SHOTS, name)


def press_by_keyboard(web: CheckedPage, name: str, navigates: bool = True) -> None:
    """Tab (from the top of the page) to the control named `name` and press Enter."""
    web.page.locator("body").focus()
    wanted = re.compile(rf"^\s*{re.escape(name)}\s*$")
    for _ in range(200):
        web.page.keyboard.press("Tab")
        text = web.page.evaluate("document.activeElement && document.activeElement.innerText")
        if text and wanted.match(text):
            break
    else:
        raise AssertionError(f"{name!r} cannot be reached with the Tab key")
    if navigates:
        web._navigate_by(lambda: web.page.keyboard.press("Enter"))
    else:
        web.page.keyboard.press("Enter")


def manager_of(team: str, email: str, first: str, last: str) -> User:
    user = make_user(email, first, last, is_professional=True)
    Membership.objects.create(
        user=user, team=Team.objects.get(slug=team), role=Membership.Role.MANAGER
    )
    return user


def test_a_manager_reads_a_referral_acts_on_it_and_decides(
    web: CheckedPage,
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
):
    manager = manager_of("social-care", "mash.manager@council.example.gov.uk", "Dana", "Hughes")
    submission = referral(professional)
    page_url = f"/team/{submission.reference}/"

    web.goto("/")
    sign_in(web, manager.email, run_tasks)
    web.goto(page_url)
    heading(web, "Children's Social Care referral")
    expect(web.main).to_contain_text("Urgent: At risk of significant harm now")
    expect(web.page.get_by_test_id("withheld")).to_contain_text("Do not say the school called")
    shot(web, "referral")

    press_by_keyboard(web, "Assign to me")
    expect(web.main).to_contain_text("Assignment saved")

    # Rate it, with the keyboard: open the details, choose red, give the reason.
    press_by_keyboard(web, "Rate this referral", navigates=False)
    web.page.keyboard.press("Tab")
    web.page.keyboard.press("Space")  # the first radio: Red
    expect(web.page.get_by_role("radio", name="Red")).to_be_checked()
    web.fill("Reason for the rating", "At risk now, and a sibling too")
    web.submit("Save the rating")
    expect(web.main).to_contain_text("Rating saved")

    web.fill("Case note", "Spoke to the school: they will keep the children in today")
    web.submit("Add the note")
    expect(web.page.get_by_test_id("notes")).to_contain_text("keep the children in")

    # Each action's own page (where a problem is shown): checked like every page.
    for action, title in (
        ("assign", "Assign this referral"),
        ("rate", "Change the rating"),
        ("note", "Add a case note"),
        ("stage", "Move to a stage"),
        ("transfer", "Transfer to another team"),
        ("confirm", "Confirm the decision"),
    ):
        web.goto(f"{page_url}{action}/")
        heading(web, title)
    shot(web, "action-transfer")
    web.goto(f"{page_url}stage/")
    web.choose("Screening", group="Stage")
    web.submit("Save the stage")
    expect(web.main).to_contain_text("Stage saved")

    # Decide: choose an outcome, then the response for it, pre-written and editable.
    web.submit("Continue")
    heading(web, "Decide")
    expect(web.page.get_by_role("alert")).to_contain_text("Select the decision")
    shot(web, "decide-choose-error")
    web.choose("Strategy discussion (s47)", group="Decision")
    web.submit("Continue")
    heading(web, "Decide")
    response = web.field("Response for the referrer")
    assert response.input_value().startswith("Thank you for your referral")  # pre-written
    shot(web, "decide-response")
    response.fill("")
    web.submit("Send the decision")
    expect(web.page.get_by_role("alert")).to_contain_text("Enter the response for the referrer")
    shot(web, "decide-error")
    web.fill("Response for the referrer", "We are holding a strategy discussion today.")
    web.submit("Send the decision")
    expect(web.main).to_contain_text("Decision sent")
    expect(web.page.get_by_test_id("case-summary")).to_contain_text("Strategy discussion (s47)")
    expect(web.page.get_by_test_id("history")).to_contain_text("Dana Hughes")
    shot(web, "referral-decided")


def test_a_worker_proposes_without_javascript_and_a_manager_confirms(
    open_page: Callable[..., CheckedPage],
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
):
    manager = manager_of("social-care", "mash.manager@council.example.gov.uk", "Dana", "Hughes")
    submission = referral(professional)
    page_url = f"/team/{submission.reference}/"

    worker = open_page(java_script_enabled=False)
    worker.goto("/")
    sign_in(worker, mash_staff.email, run_tasks)
    worker.goto(page_url)
    assert not worker.page.get_by_text("Choose a colleague").count()  # a manager's action
    worker.choose("Early Help", group="Decision")
    worker.submit("Continue")
    heading(worker, "Propose a decision")
    typed = "Early Help will call the family this week."
    worker.fill("Response for the referrer", typed)
    worker.submit("Propose the decision")
    expect(worker.main).to_contain_text("a manager confirms it")
    expect(worker.page.get_by_test_id("case-summary")).to_contain_text("Waiting for a manager")
    shot(worker, "referral-proposed")

    boss = open_page()
    boss.goto("/")
    sign_in(boss, manager.email, run_tasks)
    boss.goto(page_url)
    boss.follow("Confirm the proposed decision")
    heading(boss, "Confirm the decision")
    expect(boss.field("Response for the referrer")).to_have_value(typed)
    shot(boss, "confirm")
    boss.submit("Confirm and send the decision")
    expect(boss.main).to_contain_text("Decision confirmed and sent")

    run_tasks()
    referrer = open_page()
    referrer.goto("/")
    sign_in(referrer, professional.email, run_tasks)
    referrer.goto(f"/forms/sent/{submission.reference}/")
    expect(referrer.main).to_contain_text(typed)
    expect(referrer.main).to_contain_text("Early Help")


def test_a_transferred_referral_is_read_only_for_the_team_that_sent_it_on(
    web: CheckedPage,
    professional: User,
    mash_staff: User,
    early_help_staff: User,
    run_tasks: Callable[[], None],
):
    submission = referral(professional)
    page_url = f"/team/{submission.reference}/"
    web.goto("/")
    sign_in(web, mash_staff.email, run_tasks)
    web.goto(page_url)
    web.page.get_by_text("Transfer to another team").click()
    web.choose("Early Help", group="Team")
    web.fill("Reason for the transfer", "Needs family support, not social care")
    web.submit("Transfer the referral")
    expect(web.main).to_contain_text("Referral transferred")
    expect(web.page.get_by_test_id("read-only")).to_be_visible()
    expect(web.main.get_by_role("button", name="Assign to me")).to_have_count(0)
    shot(web, "referral-read-only")
    assert Case.objects.get(pk=submission.pk).team.slug == "early-help"
    services.add_note(Case.objects.get(pk=submission.pk), "Called the family", early_help_staff)
