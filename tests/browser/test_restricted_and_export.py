"""A manager restricts a referral in a real browser (keyboard only, then without
JavaScript: change who, lift), and a second worker gets the 404 page; the inbox's
"Download as CSV" downloads the list, a name typed as a formula neutralised. Every page
checked by axe-core, reflowing at 320 px; screenshots kept for a person to look at."""

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import make_user
from frontdoor.accounts.models import User
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.cases.models import Case
from tests.browser.conftest import CheckedPage, check_error_page, screenshots
from tests.browser.test_referral_forms import heading, sign_in
from tests.browser.test_referral_page import manager_of, press_by_keyboard
from tests.sending import CHILD

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots"))
HYPERLINK = '=HYPERLINK("https://evil.example/","Click")'


def shot(web: CheckedPage, name: str) -> None:
    screenshots(web, SHOTS, name)


def test_a_manager_restricts_a_referral_and_a_second_worker_gets_404(
    open_page: Callable[..., CheckedPage],
    professional: User,
    mash_staff: User,
    teams,
    run_tasks: Callable[[], None],
):
    manager = manager_of("social-care", "mash.manager@council.example.gov.uk", "Dana", "Hughes")
    colleague = make_user("second.worker@council.example.gov.uk", "Jamie", "Cole")
    colleague.teams.add(teams["social-care"])
    submission = referral(professional)
    page_url = f"/team/{submission.reference}/"

    boss = open_page()
    boss.goto("/")
    sign_in(boss, manager.email, run_tasks)
    boss.goto(page_url)
    # By keyboard only: to the link, the page, a colleague's box, the button.
    press_by_keyboard(boss, "Restrict who can see this referral")
    heading(boss, "Restrict who can see this referral")
    shot(boss, "restrict")
    box = boss.page.get_by_role("checkbox", name="Jamie Cole")
    box.focus()
    boss.page.keyboard.press("Space")
    expect(box).to_be_checked()
    press_by_keyboard(boss, "Restrict the referral")
    expect(boss.main).to_contain_text("Referral restricted")
    panel = boss.page.get_by_test_id("restricted")
    expect(panel).to_contain_text("Restricted: only these people can see it")
    expect(panel).to_contain_text("Dana Hughes (you)")
    expect(panel).to_contain_text("Jamie Cole")
    shot(boss, "referral-restricted")

    boss.goto("/team/in/social-care/")
    expect(boss.page.get_by_role("row", name=submission.reference)).to_contain_text("Restricted")
    shot(boss, "inbox-restricted-row")

    worker = open_page()
    worker.goto("/")
    sign_in(worker, mash_staff.email, run_tasks)
    worker.goto("/team/in/social-care/")
    expect(worker.main).not_to_contain_text(submission.reference)
    expect(worker.main).to_contain_text("There are no open referrals")
    check_error_page(worker, "handler404", 404, path=page_url)
    expect(worker.page.get_by_role("heading", level=1)).to_contain_text("Page not found")

    # Without JavaScript: change who can see it, then lift it.
    plain = open_page(java_script_enabled=False)
    plain.goto("/")
    sign_in(plain, manager.email, run_tasks)
    plain.goto(page_url)
    plain.follow("Change who can see it")
    heading(plain, "Change who can see this referral")
    expect(plain.page.get_by_role("checkbox", name="Jamie Cole")).to_be_checked()
    plain.page.get_by_role("checkbox", name="Jamie Cole").uncheck()
    plain.page.get_by_role("checkbox", name="Morgan Reid").check()
    plain.submit("Save who can see it")
    expect(plain.main).to_contain_text("Who can see it changed")
    expect(plain.page.get_by_test_id("history")).to_contain_text(
        "Restriction changed: added Morgan Reid; removed Jamie Cole"
    )
    plain.follow("Lift the restriction")
    heading(plain, "Lift the restriction")
    shot(plain, "lift-restriction")
    plain.submit("Lift the restriction")
    expect(plain.main).to_contain_text("Restriction lifted")
    expect(plain.page.get_by_test_id("restricted")).to_have_count(0)
    assert not Case.objects.get(pk=submission.pk).is_restricted


def test_the_inbox_downloads_its_list_as_csv_with_formulas_neutralised(
    web: CheckedPage,
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
):
    referral(professional, children=[{**CHILD, "first_name": HYPERLINK}])
    web.goto("/")
    sign_in(web, mash_staff.email, run_tasks)
    web.goto("/team/in/social-care/?rating=none")
    form = web.page.get_by_test_id("export")
    expect(form.get_by_role("checkbox")).not_to_be_checked()
    shot(web, "inbox-export")
    with web.page.expect_download() as plain:
        form.get_by_role("button", name="Download as CSV").click()
    assert plain.value.suggested_filename.startswith("social-care-referrals-")
    text = Path(plain.value.path()).read_text("utf-8-sig")
    assert "HYPERLINK" not in text  # no names unless asked for
    # Asked for, by keyboard: the box, then the button.
    form.get_by_role("checkbox").focus()
    web.page.keyboard.press("Space")
    with web.page.expect_download() as named:
        web.page.keyboard.press("Tab")
        web.page.keyboard.press("Enter")
    rows = list(csv.DictReader(io.StringIO(Path(named.value.path()).read_text("utf-8-sig"))))
    assert rows[0]["Children's names"].startswith("'" + HYPERLINK)
    assert web.page.url.endswith("/team/in/social-care/?rating=none")  # still the inbox
