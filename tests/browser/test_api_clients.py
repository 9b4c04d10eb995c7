"""An administrator issues, and revokes, an API client's tokens in a real browser,
keyboard only, with JavaScript and without: the token shown once, every page checked by
axe-core, kept as a screenshot at 1024 and 320 px (SCREENSHOTS, default /tmp/shots/api)."""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from frontdoor.accounts.models import Team, User
from frontdoor.api import clients
from frontdoor.api.models import ApiClient, Drop
from tests.browser.conftest import CheckedPage, assert_reflows, screenshots
from tests.browser.test_administration import assert_admin_contrast
from tests.browser.test_referral_forms import heading, sign_in
from tests.browser.test_referral_page import press_by_keyboard

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "api"
TOKEN = re.compile(r"fdk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def works(token: str) -> bool:
    answer = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/referrals")
    return answer.status_code == 200


@pytest.mark.parametrize("javascript", [True, False])
def test_an_administrator_rotates_a_clients_token_by_keyboard(
    open_page: Callable[..., CheckedPage],
    administrator: User,
    run_tasks: Callable[[], None],
    javascript: bool,
):
    client, old = clients.create_client("Liquidlogic LCS", [Team.objects.get(slug="social-care")])
    web = open_page(java_script_enabled=javascript)
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    web.goto(f"/admin/api/apiclient/{client.pk}/tokens/")
    heading(web, "Tokens of Liquidlogic LCS")
    screenshots(web, SHOTS, f"tokens-{javascript}")

    press_by_keyboard(web, "Issue a new token")
    panel = web.page.get_by_test_id("issued")
    expect(panel).to_be_visible()
    new = TOKEN.search(panel.inner_text())
    assert new is not None
    screenshots(web, SHOTS, f"token-issued-{javascript}")
    assert works(old)
    assert works(new.group(0))

    press_by_keyboard(web, "Issue a new token")  # a third: refused, saying why
    expect(web.page.locator(".govuk-error-summary")).to_contain_text("revoke the older one")
    screenshots(web, SHOTS, f"token-refused-{javascript}")

    prefix = old[4:16]
    # Its visually hidden words name which token (innerText puts them on a line of their own).
    press_by_keyboard(web, f"Revoke\n token fdk_{prefix}_…")
    expect(web.main).to_contain_text("Revoked")
    assert not works(old)
    assert works(new.group(0))
    assert not TOKEN.search(web.main.inner_text())  # shown once only


def test_revoking_a_client_asks_first(
    open_page: Callable[..., CheckedPage], administrator: User, run_tasks: Callable[[], None]
):
    client, token = clients.create_client("Mosaic", [Team.objects.get(slug="lado")])
    web = open_page(java_script_enabled=False)
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    web.goto(f"/admin/api/apiclient/{client.pk}/tokens/")
    press_by_keyboard(web, "Revoke this API client")
    expect(web.page.get_by_test_id("confirm-revoke")).to_contain_text("stops every token")
    screenshots(web, SHOTS, "revoke-client")
    assert works(token)
    press_by_keyboard(web, "Yes, revoke this API client")
    expect(web.main).to_contain_text("Status: revoked")
    assert not works(token)


@pytest.mark.parametrize("javascript", [True, False])
def test_an_administrator_adds_a_client_and_a_drop_by_keyboard(
    open_page: Callable[..., CheckedPage],
    administrator: User,
    run_tasks: Callable[[], None],
    tmp_path: Path,
    javascript: bool,
):
    """The add pages of a client and of a drop, with JavaScript and without: Django's
    two-list team picker had a select with no name without it, and the theme toggle a
    button with none (axe); the teams are boxes to tick, by keyboard."""

    def shots(name: str) -> None:  # screenshots(), with the admin's contrast rule
        SHOTS.mkdir(parents=True, exist_ok=True)
        web.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        assert_admin_contrast(web)
        assert_reflows(web.page, 320)
        web.page.screenshot(path=str(SHOTS / f"{name}-320.png"), full_page=True)
        web.page.set_viewport_size({"width": 1024, "height": 800})

    def save() -> None:  # the admin's Save is an <input>: focused, then Enter
        web.page.get_by_role("button", name="Save", exact=True).focus()
        web._navigate_by(lambda: web.page.keyboard.press("Enter"))

    web = open_page(java_script_enabled=javascript)
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    web.goto("/admin/api/apiclient/add/")
    assert_admin_contrast(web)
    web.page.get_by_label("Name:").fill(f"Liquidlogic LCS {javascript}")
    web.page.get_by_label("Children's Social Care (MASH)").focus()
    web.page.keyboard.press("Space")
    shots(f"client-add-{javascript}")
    save()
    heading(web, f"Tokens of Liquidlogic LCS {javascript}")
    added = ApiClient.objects.get(name=f"Liquidlogic LCS {javascript}")
    assert list(added.teams.values_list("slug", flat=True)) == ["social-care"]

    web.goto("/admin/api/drop/add/")
    assert_admin_contrast(web)
    web.page.get_by_label("Name:").fill("Mosaic")
    web.page.get_by_label("Early Help").focus()
    web.page.keyboard.press("Space")
    web.page.get_by_label("Destination:").fill(str(tmp_path))
    web.page.get_by_label("Date:").fill("2026-12-01")
    web.page.get_by_label("Time:").fill("09:00:00")
    shots(f"drop-add-{javascript}")
    save()
    expect(web.main).to_contain_text("Mosaic")  # the list of drops
    shots(f"drops-{javascript}")
    drop = Drop.objects.get()
    assert list(drop.teams.values_list("slug", flat=True)) == ["early-help"]
