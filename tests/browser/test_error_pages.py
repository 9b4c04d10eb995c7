"""The error pages in a real browser, each as the portal serves it, checked with axe-core
like every page (the URL walk wants each of them: tests/coverage_walk.py ERROR_PAGES).

400, 403 and 500 come from a test-only URLconf (tests/browser/error_urls.py) through the
project's own handlers; 404 and the CSRF failure happen as they would for anyone.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CheckedPage, check_error_page

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def screenshot(web: CheckedPage, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    web.page.screenshot(path=str(SHOTS / f"error-{name}.png"), full_page=True)


@pytest.mark.urls("tests.browser.error_urls")
@pytest.mark.parametrize(
    ("status", "handler", "title"),
    [
        (400, "handler400", "Sorry, there is a problem"),
        (403, "handler403", "You cannot view this page"),
        (500, "handler500", "Sorry, there is a problem with the service"),
    ],
)
def test_the_400_403_and_500_pages(web: CheckedPage, status: int, handler: str, title: str):
    check_error_page(web, handler, status, path=f"/test-only/fail/{status}/")
    expect(web.page.get_by_role("heading", level=1)).to_have_text(title)
    screenshot(web, str(status))


def test_the_404_page(web: CheckedPage):
    check_error_page(web, "handler404", 404, path="/no-such-page/")
    expect(web.page.get_by_role("heading", level=1)).to_have_text("Page not found")
    screenshot(web, "404")


def test_the_page_for_a_form_sent_without_a_valid_security_token(web: CheckedPage):
    web.goto("/account/sign-in/")
    # As an old or tampered page would send it: the token no longer matches.
    web.page.locator("input[name=csrfmiddlewaretoken]").evaluate("e => e.value = 'x'.repeat(64)")
    check_error_page(web, "CSRF_FAILURE_VIEW", 403, button="Submit")
    expect(web.page.get_by_role("heading", level=1)).to_have_text("Sorry, this page has expired")
    screenshot(web, "csrf")
