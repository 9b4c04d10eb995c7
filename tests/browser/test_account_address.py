"""Registration step 1 in a browser: the address is described as home or work, at 320 px too."""

from pathlib import Path

import pytest

from tests.browser.conftest import CheckedPage
from tests.browser.test_accounts_journey import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.parametrize("width", [1024, 320])
def test_registration_says_home_or_work_address_without_javascript(open_page, width) -> None:
    web: CheckedPage = open_page(
        java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    web.goto("/account/register/")

    group = web.page.get_by_role("group", name="Your address")
    description = group.get_attribute("aria-describedby")
    assert description == "address-hint"
    assert web.page.locator("#address-hint").inner_text() == (
        "If you are using this account in a professional capacity, enter your work address. "
        "Otherwise, enter your home address."
    )
    # Reflows: nothing wider than the window.
    assert web.page.evaluate("document.documentElement.scrollWidth") <= width
    SHOTS.mkdir(parents=True, exist_ok=True)
    web.page.locator("#address-hint").scroll_into_view_if_needed()
    web.page.screenshot(path=str(SHOTS / f"register-step1-address-{width}.png"), full_page=True)


@pytest.mark.parametrize(
    ("persona", "legend"),
    [("professional", "Your work address"), ("member_of_public", "Your home address")],
)
def test_changing_details_names_the_kind_of_address(
    request, web: CheckedPage, run_tasks, persona: str, legend: str
) -> None:
    user = request.getfixturevalue(persona)
    web.goto("/")
    sign_in(web, user.email, run_tasks)
    web.goto("/account/details/change/")

    group = web.page.get_by_role("group", name=legend)
    assert group.get_attribute("aria-describedby") == "address-hint"
    SHOTS.mkdir(parents=True, exist_ok=True)
    web.page.screenshot(path=str(SHOTS / f"change-details-{persona}.png"), full_page=True)
