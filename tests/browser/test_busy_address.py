"""The sign-in page behind a busy address: a GOV.UK error saying how many seconds to wait."""

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser.conftest import CheckedPage

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.parametrize("width", [1024, 320])
def test_a_busy_address_is_asked_to_wait_seconds(settings, web: CheckedPage, professional, width):
    settings.THROTTLE_ADDRESS_FREE_TRIES = 3
    # The browser reaches the live server from 127.0.0.1: three failures from there first.
    for n in range(3):
        Client(REMOTE_ADDR="127.0.0.1").post(
            "/account/sign-in/", {"email": f"user{n}@school.example.org", "password": "Wrong-1"}
        )
    web.page.set_viewport_size({"width": width, "height": 800})
    web.goto("/account/sign-in/")
    web.fill("Email", professional.email)
    web.fill("Password", PASSWORD)
    web.submit("Submit")

    summary = web.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "There have been a lot of attempts to sign in from your network. "
        "Wait 10 seconds, then try again"
    )
    expect(summary).to_be_focused()
    assert web.page.evaluate("document.documentElement.scrollWidth") <= width
    SHOTS.mkdir(parents=True, exist_ok=True)
    web.page.screenshot(path=str(SHOTS / f"sign-in-busy-address-{width}.png"))
