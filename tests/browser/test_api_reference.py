"""The API reference page (/api/v1/docs) in a real browser, with JavaScript and without,
under the portal's own strict CSP: axe-core (every page the browser tests open), no
console error (a refused script or style would be one), reflow at 320 px, every
operation's link reached by the Tab key and leading to its section. Screenshots in
SCREENSHOTS (default /tmp/shots/api)."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frontdoor.api.views import api
from tests.browser.conftest import CheckedPage, screenshots

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "api"


def tab_to(web: CheckedPage, name: str) -> None:
    """Tab from the top of the page until the link named `name` has the focus."""
    web.page.locator("body").focus()
    for _ in range(300):
        web.page.keyboard.press("Tab")
        text = web.page.evaluate("document.activeElement && document.activeElement.innerText")
        if text and text.strip() == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


@pytest.mark.parametrize("javascript", [True, False])
def test_the_reference_page_reads_well_by_keyboard_under_the_csp(
    open_page: Callable[..., CheckedPage], javascript: bool
):
    web = open_page(java_script_enabled=javascript)
    web.goto("/api/v1/docs")
    csp = web.document.headers["content-security-policy"] if web.document else ""
    assert "script-src 'self' 'nonce-" in csp, csp
    assert "style-src 'self';" in csp, csp
    assert "unsafe-inline" not in csp
    expect(web.page.get_by_role("heading", level=1)).to_have_text("Front Door API reference")
    screenshots(web, SHOTS, f"reference-{javascript}")

    paths = api.get_openapi_schema()["paths"]
    for path, methods in paths.items():
        for method in methods:
            name = f"{method.upper()} {path}"
            tab_to(web, name)
            web.page.keyboard.press("Enter")
            heading = web.page.get_by_role("heading", name=name, exact=True)
            expect(heading).to_be_in_viewport()

    tab_to(web, "the OpenAPI document (JSON)")
    with web.page.expect_navigation():
        web.page.keyboard.press("Enter")
    web.loads.pop()  # JSON, not a page: nothing for axe-core
    assert web.page.url.endswith("/api/v1/openapi.json")
    web.assert_no_errors()
