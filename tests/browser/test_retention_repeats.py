"""The staff page of a referral whose child was named in a referral retention removed:
the "Referred before" line, checked by axe-core, with and without JavaScript, reflowing
at 320 px; screenshots kept (SCREENSHOTS, default /tmp/shots)."""

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.retention.services import apply_retention
from frontdoor.retention.tests.conftest import DAY, SENT, close_at, send_at
from frontdoor.retention.tests.conftest import manager as manager  # a fixture
from tests.browser.conftest import CheckedPage
from tests.browser.test_referral_forms import heading, sign_in
from tests.browser.test_referral_page import SHOTS, shot

pytestmark = pytest.mark.browser


def referred_again(professional: User, second_professional: User, manager: User) -> tuple:
    """A child's referral, closed and removed under retention, then the same child's
    referral by another school 400 days after the first."""
    first = send_at(professional, SENT)
    close_at(first, manager, SENT + 2 * DAY)
    apply_retention(now=SENT + 367 * DAY)
    return first, send_at(second_professional, SENT + 400 * DAY)


@pytest.mark.parametrize("java_script", [True, False], ids=["js", "no-js"])
def test_the_referral_page_says_the_child_was_referred_before(
    open_page: Callable[..., CheckedPage],
    professional: User,
    second_professional: User,
    manager: User,
    run_tasks: Callable[[], None],
    java_script: bool,
):
    first, again = referred_again(professional, second_professional, manager)

    web = open_page(java_script_enabled=java_script)
    web.goto("/")
    sign_in(web, manager.email, run_tasks)
    web.goto(f"/team/{again.reference}/")
    heading(web, "Children's Social Care referral")
    line = web.page.get_by_test_id("removed-repeats")
    expect(line).to_have_text(
        f"Referred before: {first.reference}, Children's Social Care referral, "
        "No further action, closed 4 March 2026 (record removed under retention)"
    )
    web.follow("Repeat referrals (1)")
    if java_script:
        shot(web, "referred-before-removed")
        # The section itself, for a person to look at without the whole long page.
        scrolled = web.page.evaluate("window.scrollY")
        top = web.page.locator("#repeats").bounding_box()
        bottom = line.bounding_box()
        assert top is not None
        assert bottom is not None
        web.page.screenshot(
            path=str(SHOTS / "referred-before-removed-section.png"),
            full_page=True,
            clip={
                "x": 0,
                "y": scrolled + top["y"] - 200,
                "width": 1024,
                "height": bottom["y"] + bottom["height"] - top["y"] + 300,
            },
        )


@pytest.mark.parametrize("java_script", [True, False], ids=["js", "no-js"])
def test_the_inbox_tags_a_child_referred_before_as_a_repeat(
    open_page: Callable[..., CheckedPage],
    professional: User,
    second_professional: User,
    manager: User,
    run_tasks: Callable[[], None],
    java_script: bool,
):
    first, again = referred_again(professional, second_professional, manager)

    web = open_page(java_script_enabled=java_script)
    web.goto("/")
    sign_in(web, manager.email, run_tasks)
    web.goto("/team/in/social-care/")
    row = web.main.locator(".fd-inbox-table tbody tr", has_text=again.reference)
    expect(row.locator(".govuk-tag--purple")).to_have_text("Repeat: 1 other referral")
    if java_script:
        shot(web, "inbox-referred-before-removed")
        box = row.bounding_box()
        assert box is not None
        web.page.screenshot(
            path=str(SHOTS / "inbox-referred-before-removed-row.png"),
            full_page=True,
            clip={"x": 0, "y": box["y"] - 80, "width": 1024, "height": box["height"] + 160},
        )
    # By keyboard: the row's reference opens the referral, which says what was before.
    row.get_by_role("link", name=again.reference).focus()
    web._navigate_by(lambda: web.page.keyboard.press("Enter"))
    expect(web.page.get_by_test_id("removed-repeats")).to_contain_text(
        f"Referred before: {first.reference}"
    )
