"""The team's inbox in a real browser: a MASH manager in two teams sees the urgent referral
first with its children, flags and time left, switches team, searches a child's name (the
term never in the URL), filters with a date that is not real (an error, nothing lost), and
pages on. Every page is checked with axe-core; the inbox's contrast and its reflow at
320 px (rows become cards) are checked too, and each is kept as a screenshot."""

import datetime
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frontdoor.accounts.models import Membership, Team, User
from frontdoor.cases.models import Case
from tests.browser.conftest import CheckedPage, assert_contrast, assert_reflows
from tests.browser.test_referral_forms import heading, sign_in
from tests.bulk_referrals import copies
from tests.sending import CHILD, send

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("INBOX_SCREENSHOTS", "/tmp/shots"))
ZOE = {**CHILD, "first_name": "Zoë", "last_name": "Smith-Jones", "nhs_number": "943 476 5919"}


def shot(web: CheckedPage, name: str) -> None:
    """A screenshot at the browser's width and at 320 px (checking it reflows there)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = web.page.viewport_size
    assert size is not None
    web.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert_reflows(web.page, 320)
    web.page.screenshot(path=str(SHOTS / f"{name}-320.png"), full_page=True)
    web.page.set_viewport_size(size)


def test_the_inbox_search_and_filters(
    open_page: Callable[..., CheckedPage],
    professional: User,
    second_professional: User,
    mash_staff: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
) -> None:
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    mash_staff.teams.add(teams["lado"])
    plain = send(professional, "social-care-referral")
    copies(plain, 55)
    urgent = send(
        professional,
        "social-care-referral",
        children=[ZOE, {**CHILD, "first_name": "Ben", "last_name": "Smith-Jones"}],
        immediate_risk={"at_risk_now": "yes"},
        your_work={"organisation": "Riverside Primary School", "job_title": "DSL"},
    )
    repeat = send(second_professional, "social-care-referral", children=[ZOE])
    Case.objects.filter(submission=repeat).update(
        due_at=timezone.now() - datetime.timedelta(hours=2)
    )

    web = open_page(viewport={"width": 1280, "height": 900})
    web.goto("/")
    sign_in(web, mash_staff.email, run_tasks)
    web.goto("/team/")
    heading(web, "Choose a team")
    web.follow("Children's Social Care (MASH)", within=web.main)
    heading(web, "Your team's forms")
    rows = web.main.locator(".fd-inbox-table tbody tr")
    expect(rows).to_have_count(50)
    first = rows.first
    expect(first).to_contain_text(urgent.reference)
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text("At risk of significant harm now")
    expect(first).to_contain_text("Zoë Smith-Jones, 10")
    expect(first).to_contain_text("DSL, Riverside Primary School")
    expect(first).to_contain_text("Repeat: 1 other referral")
    expect(rows.nth(1)).to_contain_text("Overdue by 2 hours")
    expect(web.main).to_contain_text("Team workload")
    expect(web.main.get_by_role("navigation", name="Pagination")).to_be_visible()
    assert_contrast(web.page)
    shot(web, "inbox")
    # On a phone the filters fill the first screen: a link skips them to the search.
    skip = web.main.get_by_role("link", name="Skip the filters to the search and the referrals")
    expect(skip).to_be_hidden()  # on a desktop the filters sit beside the results
    size = web.page.viewport_size
    assert size is not None
    web.page.set_viewport_size({"width": 320, "height": 640})
    expect(skip).to_be_visible()
    skip.focus()
    web.page.keyboard.press("Enter")
    expect(web.main.get_by_label("Search")).to_be_in_viewport()
    web.page.set_viewport_size(size)

    web.fill("Search", "zoe smith")
    web.submit("Search")
    heading(web, "Your team's forms")
    assert "zoe" not in web.page.url.lower()
    expect(web.main).to_contain_text("2 referrals matching “zoe smith”")
    expect(rows).to_have_count(2)
    assert_contrast(web.page)
    shot(web, "inbox-search")

    web.submit("Clear search")
    expect(rows).to_have_count(50)
    web.follow("LADO", within=web.page.get_by_role("navigation", name="Your teams"))
    expect(web.main).to_contain_text("There are no open referrals in LADO.")
    web.follow(
        "Children's Social Care (MASH)",
        within=web.page.get_by_role("navigation", name="Your teams"),
    )
    web.follow("Next page", within=web.main.get_by_role("navigation", name="Pagination"))
    expect(rows).to_have_count(8)


def test_filters_work_without_javascript(
    open_page: Callable[..., CheckedPage],
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
) -> None:
    mine = send(professional, "social-care-referral")
    send(professional, "social-care-referral")
    from frontdoor.cases import services

    services.assign(Case.objects.get(submission=mine), mash_staff, mash_staff)
    web = open_page(java_script_enabled=False)
    web.goto("/")
    sign_in(web, mash_staff.email, run_tasks)
    web.goto("/team/")
    web.follow("My referrals", within=web.main)
    rows = web.main.locator(".fd-inbox-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(mine.reference)
    expect(rows.first).to_contain_text("Morgan Reid (you)")

    group = web.page.get_by_role("group", name="Received on or after")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill("2026")
    web.submit("Apply filters")
    summary = web.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Received on or after must be a real date")
    expect(group.get_by_label("Day")).to_have_value("31")
    expect(rows).to_have_count(1)  # "My referrals" still applies
    shot(web, "inbox-filter-error")
