"""What a new user's trial of the referral forms found, in a real browser: immediate risk
asked second, Recover a form telling drafts apart, Back after Send, removing a child only
after a confirmation, an invalid date on Check your answers, and which of the child's
dates applies, with JavaScript on and off. Every page is checked by axe-core, reflows at
320 px, and is saved as a screenshot (SCREENSHOTS, to look at).
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.referrals.models import Draft
from tests.browser.conftest import CheckedPage
from tests.browser.test_referral_forms import (
    SOCIAL_CARE,
    address,
    continue_draft,
    date,
    heading,
    save_and_continue,
    sign_in,
    start_form,
    status_of,
    task_list,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/frontdoor-screenshots"))


def shot(web: CheckedPage, name: str) -> None:
    """A full-page screenshot, and the page must reflow at 320 px (WCAG 1.4.10)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    web.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    size = web.page.viewport_size
    web.page.set_viewport_size({"width": 320, "height": 800})
    try:
        wide = web.page.evaluate("document.documentElement.scrollWidth")
        web.page.screenshot(path=str(SCREENSHOTS / f"{name}-320.png"), full_page=True)
        assert wide <= 320, f"{name}: {wide} px wide at a 320 px viewport"
    finally:
        if size:
            web.page.set_viewport_size(size)


def child(web: CheckedPage, first: str, born: tuple[str, str, str] = ("4", "7", "2019")) -> None:
    web.fill("First name", first)
    web.fill("Last name", "Smith")
    web.choose("No", group="Is this an unborn baby?")
    date(web, "Date of birth", *born)
    address(web, "12", "Fictional Road", "Worcester", "WR1 1AA")
    web.submit("Save and continue")


def test_immediate_risk_comes_second_and_phone_now_follows_it(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    expect(task_list(web).get_by_role("link").nth(1)).to_have_text("Immediate risk")
    shot(web, "task-list-v4")
    web.follow("Immediate risk", within=task_list(web))
    web.choose("Yes", group="Is the child at risk of significant harm now?")
    web.submit("Save and continue")
    heading(web, "Phone now")
    web.follow("Continue with the form", within=web.main)
    expect(status_of(web, "Immediate risk")).to_have_text("Completed")


def test_the_childs_dates_without_javascript_each_under_its_answer(
    open_page: Callable[..., CheckedPage], professional: User, run_tasks: Callable[[], None]
) -> None:
    web = open_page(java_script_enabled=False)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    web.follow("Who is this about", within=task_list(web))
    unborn = web.page.get_by_role("group", name=re.compile(r"^Is this an unborn baby\?"))
    yes = web.page.locator("#conditional-id_is_unborn_0")
    no = web.page.locator("#conditional-id_is_unborn_1")
    # Both shown, each inside the answer it belongs to, in order: Yes, its date; No, its date.
    expect(yes.get_by_role("group", name=re.compile(r"^Expected date of delivery"))).to_be_visible()
    expect(no.get_by_role("group", name=re.compile(r"^Date of birth"))).to_be_visible()
    expect(yes).not_to_contain_text("Date of birth")
    expect(unborn.locator("input[type=radio], .govuk-radios__conditional")).to_have_count(4)
    order = unborn.locator("input[type=radio], .govuk-radios__conditional").evaluate_all(
        "els => els.map(e => e.id)"
    )
    assert order == [
        "id_is_unborn_0",
        "conditional-id_is_unborn_0",
        "id_is_unborn_1",
        "conditional-id_is_unborn_1",
    ]
    web.page.locator("#id_is_unborn_0").scroll_into_view_if_needed()
    shot(web, "child-no-javascript")
    # An unborn baby: only the due date is needed.
    web.fill("First name", "Baby")
    web.fill("Last name", "Smith")
    web.choose("Yes", group="Is this an unborn baby?")
    date(web, "Expected date of delivery", "14", "9", "2027")
    address(web, "12", "Fictional Road", "Worcester", "WR1 1AA")
    web.submit("Save and continue")
    heading(web, "Who is this about")
    expect(web.main.locator(".govuk-summary-list__value")).to_have_text(["Completed"])


def test_the_childs_dates_with_javascript_only_the_one_that_applies(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    web.follow("Who is this about", within=task_list(web))
    born = web.page.get_by_role("group", name=re.compile(r"^Date of birth"))
    due = web.page.get_by_role("group", name=re.compile(r"^Expected date of delivery"))
    expect(born).to_be_hidden()
    expect(due).to_be_hidden()
    web.choose("No", group="Is this an unborn baby?")
    expect(born).to_be_visible()
    expect(due).to_be_hidden()
    web.choose("Yes", group="Is this an unborn baby?")
    expect(due).to_be_visible()
    expect(born).to_be_hidden()
    web.check()
    web.page.locator("#id_is_unborn_0").scroll_into_view_if_needed()
    shot(web, "child-javascript-yes")


def test_recover_remove_and_an_invalid_date_without_javascript(
    open_page: Callable[..., CheckedPage], professional: User, run_tasks: Callable[[], None]
) -> None:
    web = open_page(java_script_enabled=False)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    first = start_form(web, SOCIAL_CARE)
    web.follow("Who is this about", within=task_list(web))
    child(web, "Ava")
    heading(web, "Who is this about")
    web.submit("Add another child")
    child(web, "Ben", ("31", "2", "2019"))  # not a real date: saved as typed
    heading(web, "Who is this about: child 2")
    web.follow("Back to the form")
    web.goto("/")
    start_form(web, SOCIAL_CARE)

    web.goto("/")
    web.follow("Recover a form", within=web.main)
    heading(web, "Recover a form")
    rows = web.main.locator(".govuk-summary-card")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Ava Smith and 1 other child")).to_have_count(1)
    expect(rows.filter(has_text="No child's name yet")).to_have_count(1)
    expect(web.main).not_to_contain_text(f"Form {first}")
    shot(web, "recover")

    continue_draft(web, "Ava Smith and 1 other child")
    expect(web.main.locator(".govuk-caption-l")).to_have_text("About Ava Smith and 1 other child")
    web.goto(f"/forms/draft/{first}/check/")
    heading(web, "Check your answers before sending your form")
    row = web.main.locator(".govuk-summary-list__row").filter(has_text="31 / 2 / 2019")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Date of birth must be a real date")
    expect(row.get_by_role("link")).to_have_text("Change Date of birth")
    row.scroll_into_view_if_needed()
    shot(web, "check-invalid-date")
    web.follow("Change Date of birth", within=row)
    heading(web, "Who is this about: child 2")
    date(web, "Date of birth", "28", "2", "2019")
    web.submit("Save and continue")
    heading(web, "Check your answers before sending your form")
    expect(web.main).to_contain_text("28 February 2019")

    # Remove asks first, and "No, go back" keeps both.
    web.goto(f"/forms/draft/{first}/children/")
    web.follow("Remove Ben Smith", within=web.main)
    heading(web, "Are you sure you want to remove Ben Smith?")
    shot(web, "remove-confirmation")
    web.follow("No, go back", within=web.main)
    expect(web.main.locator(".govuk-summary-list__key")).to_have_text(["Ava Smith", "Ben Smith"])
    web.follow("Remove Ben Smith", within=web.main)
    web.submit("Yes, remove")
    heading(web, "Who is this about")
    expect(web.page.get_by_role("alert")).to_contain_text("Ben Smith has been removed.")
    expect(web.main.locator(".govuk-summary-list__key")).to_have_text(["Ava Smith"])
    shot(web, "removed")
    assert [c["first_name"] for c in Draft.objects.get(pk=first).answers["children"]] == ["Ava"]


def test_back_after_send_says_the_form_has_been_sent(
    web: CheckedPage, member_of_public: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, member_of_public.email, run_tasks)
    draft = start_form(web, "Feedback")
    web.follow("About you", within=task_list(web))
    web.choose("Yes", group="Do you want to send this feedback without your name")
    save_and_continue(web)
    web.follow("Your feedback", within=task_list(web))
    web.choose("Comment", group="What kind of feedback is it?")
    web.fill("What happened?", "The page was clear.")
    save_and_continue(web)
    web.follow("Check your answers", within=web.main)
    web.submit("Send Report to Local Authority")
    heading(web, "Form sent")
    reference = web.page.locator(".govuk-panel--confirmation strong").inner_text().strip()

    web.assert_all_checked()
    with web.page.expect_navigation():
        web.page.go_back()
    web.check()
    assert web.page.url.endswith(f"/forms/draft/{draft}/check/")
    heading(web, "This form has been sent")
    expect(web.main).to_contain_text(f"Your reference number is {reference}")
    shot(web, "draft-sent")
    web.follow(f"View form {reference}", within=web.main)
    expect(web.page.locator(".govuk-caption-l")).to_have_text(reference)
