"""An administrator registers a webhook endpoint in a real browser, keyboard only, sees its
signing secret once, and reads the delivery log after a referral is sent, sending one
again: every page checked by axe-core, kept as a screenshot at 1024 and 320 px
(SCREENSHOTS, default /tmp/shots/api)."""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frontdoor.accounts.models import Team, User
from frontdoor.api import clients
from frontdoor.api.tests.receiver import receiver
from tests.browser.conftest import CheckedPage, screenshots
from tests.browser.test_referral_forms import heading, sign_in
from tests.browser.test_referral_page import press_by_keyboard
from tests.sending import send

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "api"
SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")


@pytest.mark.parametrize("javascript", [True, False])
def test_an_administrator_registers_a_webhook_and_reads_its_log(
    open_page: Callable[..., CheckedPage],
    administrator: User,
    professional: User,
    run_tasks: Callable[[], None],
    settings,
    javascript: bool,
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    client, _ = clients.create_client("Liquidlogic LCS", [Team.objects.get(slug="social-care")])
    with receiver() as hook:
        web = open_page(java_script_enabled=javascript)
        web.goto("/")
        sign_in(web, administrator.email, run_tasks)
        web.goto(f"/admin/api/apiclient/{client.pk}/tokens/")
        web.follow("Webhooks of Liquidlogic LCS")
        heading(web, "Webhooks of Liquidlogic LCS")
        press_by_keyboard(web, "Register the endpoint")  # no URL yet: a clear message
        expect(web.page.locator(".govuk-error-summary")).to_contain_text("Enter the URL")
        screenshots(web, SHOTS, f"webhooks-error-{javascript}")

        web.fill("URL", hook.url)
        press_by_keyboard(web, "Register the endpoint")
        panel = web.page.get_by_test_id("secret")
        expect(panel).to_be_visible()
        secret = SECRET.search(panel.inner_text())
        assert secret is not None
        screenshots(web, SHOTS, f"webhooks-secret-{javascript}")

        hook.answers = [(503, {"Retry-After": "3600"}, b"Down for maintenance")]
        sent = send(professional, "social-care-referral")
        run_tasks()
        assert hook.verifies(secret.group(0))
        web.follow(f"Delivery log of {hook.url}")
        expect(web.main).to_contain_text(f"referral.received of {sent.reference}")
        expect(web.main).to_contain_text("HTTP 503: Down for maintenance")
        screenshots(web, SHOTS, f"deliveries-{javascript}")

        press_by_keyboard(web, f"Send again\n referral.received of {sent.reference}")
        expect(web.main).to_contain_text("will be sent again")
        run_tasks()
        web.goto(f"/admin/api/apiclient/{client.pk}/webhooks/{client.webhooks.get().pk}/")
        expect(web.main).to_contain_text("Delivered")
        screenshots(web, SHOTS, f"deliveries-sent-{javascript}")
        assert len(hook.requests) == 2
