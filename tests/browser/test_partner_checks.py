"""Partner checks and the manager's dashboard in a real browser: a MASH manager records a
police check with the keyboard only (a first try with nothing chosen shows the errors),
chases it, records the reply; an overdue check is tagged in the inbox and found by its
filter; the dashboard shows the figures, and works without JavaScript. Every page is
checked with axe-core, for contrast and reflow at 320 px, and kept as a screenshot."""

import datetime
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.cases import partner_checks, services
from frontdoor.cases.models import Case, PartnerCheck
from tests.browser.conftest import CheckedPage, screenshots
from tests.browser.test_back_office_journey import choose_by_keyboard, tab_to
from tests.browser.test_referral_forms import heading, sign_in
from tests.browser.test_referral_page import manager_of, press_by_keyboard
from tests.sending import CHILD

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PARTNER_CHECK_SCREENSHOTS", "/tmp/shots/partner-checks"))


def test_a_manager_records_chases_and_answers_a_check_and_reads_the_dashboard(
    open_page: Callable[..., CheckedPage],
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
) -> None:
    manager = manager_of("social-care", "mash.manager@council.example.gov.uk", "Dana", "Hughes")
    submission = referral(professional)
    late = referral(professional, children=[{**CHILD, "first_name": "Noah"}])
    # A check asked a week ago and never answered: overdue (and a decision overdue too).
    week_ago = timezone.localdate() - datetime.timedelta(days=7)
    partner_checks.ask_partner(
        Case.objects.get(pk=late.pk),
        "health",
        "Health visiting team",
        mash_staff,
        asked_on=week_ago,
    )
    services.decide(Case.objects.get(pk=submission.pk), "strategy-discussion", "Meeting.", manager)
    page_url = f"/team/{late.reference}/"

    web = open_page(viewport={"width": 1024, "height": 800})
    web.goto("/")
    sign_in(web, manager.email, run_tasks)
    web.goto(page_url)
    expect(web.page.get_by_test_id("checks-overdue")).to_contain_text("1 partner check is overdue")
    screenshots(web, SHOTS, "referral-overdue-check")

    press_by_keyboard(web, "Record a partner check")
    heading(web, "Record a partner check")
    press_by_keyboard(web, "Record the check")  # nothing chosen: the errors, on this page
    summary = web.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the agency asked")
    expect(summary).to_contain_text("Enter who was asked")
    screenshots(web, SHOTS, "ask-errors")
    choose_by_keyboard(web, "Agency asked", "Police")
    tab_to(web, "Which service or agency")
    web.page.keyboard.type("Public Protection Unit")
    tab_to(web, "Who was asked")
    web.page.keyboard.type("DC Sam Lee, 01632 960111")
    screenshots(web, SHOTS, "ask")
    press_by_keyboard(web, "Record the check")
    expect(web.main).to_contain_text("Partner check recorded")
    police = web.page.get_by_test_id("partner-check").filter(has_text="Public Protection Unit")
    expect(police).to_contain_text("Waiting for a reply")
    expect(police).to_contain_text("DC Sam Lee, 01632 960111")

    web.follow("Record a chase of Police (Public Protection Unit)")
    heading(web, "Record a chase: Police (Public Protection Unit)")
    web.fill("How it was chased (optional)", "Phoned and left a message")
    screenshots(web, SHOTS, "chase")
    web.submit("Record the chase")
    expect(police).to_contain_text("Phoned and left a message")

    web.follow("Record the reply from Police (Public Protection Unit)")
    web.fill("Summary of what came back", "One call-out to the address in 2025.")
    screenshots(web, SHOTS, "reply")
    web.submit("Record the reply")
    expect(police).to_contain_text("Replied")
    expect(police).to_contain_text("One call-out to the address in 2025.")
    screenshots(web, SHOTS, "referral-checks")
    assert PartnerCheck.objects.filter(replied_on__isnull=False).count() == 1

    web.goto("/team/in/social-care/")
    rows = web.main.locator(".fd-inbox-table tbody tr")
    expect(rows.filter(has_text="Partner check overdue")).to_have_count(1)
    web.page.get_by_label("Partner checks overdue").check()
    web.submit("Apply filters")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(late.reference)
    screenshots(web, SHOTS, "inbox-checks-overdue")

    web.follow("Team dashboard")
    heading(web, "Team dashboard")
    expect(web.page.get_by_test_id("decisions")).to_contain_text("100% (1 of 1)")
    expect(web.page.get_by_test_id("checks")).to_contain_text(re.compile(r"Overdue now\s*1\b"))
    screenshots(web, SHOTS, "dashboard")

    # Without JavaScript the dashboard is the same page: tables and lists, nothing drawn.
    plain = open_page(java_script_enabled=False, viewport={"width": 1024, "height": 800})
    plain.goto("/")
    sign_in(plain, manager.email, run_tasks)
    plain.goto("/team/in/social-care/dashboard/")
    expect(plain.page.get_by_test_id("agencies")).to_contain_text("Health")
    screenshots(plain, SHOTS, "dashboard-no-js")
