"""The limits per account in a real browser: a refused start and a refused file say what
to do, on pages that pass axe-core (checked on every page visited) and reflow at 320px."""

import os
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.documents.tests import files
from frontdoor.referrals import registry
from frontdoor.referrals.models import Draft
from frontdoor.referrals.services import stored_version
from tests.browser.conftest import CheckedPage
from tests.browser.test_documents import chosen, listed, upload
from tests.browser.test_referral_forms import (
    SOCIAL_CARE,
    error_summary,
    heading,
    sign_in,
    start_form,
    task_list,
)

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SCREENSHOTS")  # a folder: save each page's look there, to see it


def reflows(web: CheckedPage, name: str) -> None:
    """No sideways scrolling at 320px (WCAG 1.4.10); a screenshot when asked for."""
    web.page.set_viewport_size({"width": 320, "height": 900})
    width = web.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{web.page.url} is {width}px wide at 320px"
    if SHOTS:
        web.page.screenshot(path=os.path.join(SHOTS, f"{name}-320.png"), full_page=True)
    web.page.set_viewport_size({"width": 1024, "height": 900})
    if SHOTS:
        web.page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_twenty_drafts_of_a_form_say_to_send_or_delete_one(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    version = stored_version(registry.get("social-care-referral"))
    for _ in range(20):
        Draft.objects.create(owner=professional, form_version=version)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    web.follow("Start a form", within=web.main)
    web.follow(SOCIAL_CARE, within=web.main)
    web.submit("Start now")
    heading(web, "You have 20 draft Social Care referrals")
    expect(web.main).to_contain_text(
        "Send or delete one in Recover a form before starting another."
    )
    reflows(web, "draft-limit")
    web.follow("Recover a form", within=web.main)
    heading(web, "Recover a form")
    assert Draft.objects.count() == 20


def test_too_many_new_drafts_in_an_hour_say_when_to_try_again(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None], settings: Any
) -> None:
    settings.DRAFTS_MAX_PER_HOUR = 1
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    web.goto("/forms/social-care-referral/")
    web.submit("Start now")
    heading(web, "You cannot start another form yet")
    expect(web.main).to_contain_text("You have started 1 form in the last hour")
    expect(web.main).to_contain_text("You can start another Social Care form from ")
    reflows(web, "draft-throttle")
    assert Draft.objects.count() == 1


def test_a_file_over_the_accounts_allowance_says_how_much_is_used(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None], settings: Any
) -> None:
    settings.ACCOUNT_DOCUMENTS_MAX_MB = 1
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    web.follow("Supporting documentation", within=task_list(web))
    upload(web, chosen("chronology.pdf", files.pdf_with_stream(b"1" * 600 * 1024)))
    upload(
        web,
        chosen("assessment.pdf", files.pdf_with_stream(b"2" * 600 * 1024)),
        chosen("letter.pdf", files.pdf("A letter")),
    )
    summary = error_summary(web)
    expect(summary).to_contain_text(
        "‘assessment.pdf’ was not attached: your account can store up to 1MB of documents, "
        "and 0.6MB is used by your drafts and sent forms."
    )
    expect(listed(web)).to_have_text(["chronology.pdf", "letter.pdf"])
    reflows(web, "account-documents-full")
