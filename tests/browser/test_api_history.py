"""What a case-management system did through the API, in the staff's history of the
referral, in a real browser with JavaScript and without: "Imported into <client> as
<reference>" and the decision by the client; the page checked by axe-core, reflowing at
320 px, kept as a screenshot (SCREENSHOTS, default /tmp/shots/api)."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.api.tests.conftest import System
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.cases.models import Case
from tests.browser.conftest import CheckedPage, screenshots
from tests.browser.test_referral_forms import heading, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "api"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_history_names_the_system_that_imported_and_decided(
    open_page: Callable[..., CheckedPage],
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
    javascript: bool,
):
    submission = referral(professional)
    team = Case.objects.get(submission=submission).team
    system = System("Liquidlogic LCS", [team])
    api = f"/api/v1/referrals/{submission.reference}"
    marked = system.put(f"{api}/import", {"external_reference": "LCS-12345"})
    assert marked.status_code == 200, marked.content
    decided = system.post(
        f"{api}/decision",
        {"outcome": "strategy-discussion", "response": "We are meeting the police today."},
    )
    assert decided.status_code == 200, decided.content

    web = open_page(java_script_enabled=javascript)
    web.goto("/")
    sign_in(web, mash_staff.email, run_tasks)
    web.goto(f"/team/{submission.reference}/")
    heading(web, "Children's Social Care referral")
    history = web.page.get_by_test_id("history")
    expect(history).to_contain_text("Imported into Liquidlogic LCS as LCS-12345")
    expect(history).to_contain_text("Liquidlogic LCS: Decided: Strategy discussion (s47)")
    expect(web.page.get_by_test_id("told")).to_contain_text("We are meeting the police today.")
    screenshots(web, SHOTS, f"history-by-a-system{'' if javascript else '-no-js'}")
