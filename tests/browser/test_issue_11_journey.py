"""Issue 11's "done when" as one journey, tried as a new user would: in a real Chromium
against the live server, with the real task worker, a real SMTP server, the real clamd, and
the worked example (examples/case_system.py) as the council's case-management system, run
as a separate process that has nothing but its token and its webhook secret.

An administrator adds an API client for Social Care in the administration site (without
JavaScript), issues its token and registers a webhook to the example's receiver. A school
sends a referral with two documents; the receiver gets a signed `referral.received` that
`standardwebhooks` verifies. The example lists the new referral, fetches it with its typed
answers, both documents and the PDF copy (digests checked), marks it imported as
LCS-12345, and posts "Strategy discussion (s47)" with a response. The MASH worker's history
names the system; the referrer reads the response after the email; a LADO client gets 404.
The retention job leaves the referral one second short of 30 days after import and
closure, and removes it at 30 days (its files gone from storage); the API then answers 410
with the tombstone, the LADO client still 404. The audit viewer, filtered by the
reference, shows every call the system made, by "API client: Liquidlogic LCS".

Every page is checked by axe-core and the W3C checker (conftest.py) and kept as a
screenshot at 1024 and 320 px (SCREENSHOTS, default /tmp/shots, in issue-11-journey/).
"""

import datetime
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from playwright.sync_api import expect

from frontdoor.accounts.models import Team, User
from frontdoor.api import clients
from frontdoor.api.models import ApiClient, ApiImport
from frontdoor.api.tests.test_documents import send_with
from frontdoor.cases.models import Case
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from frontdoor.referrals.models import PdfCopy, Tombstone
from frontdoor.retention.services import apply_retention
from tests.browser.conftest import CheckedPage, screenshots
from tests.browser.test_back_office_journey import emails_to, link_in, sign_in, through_sign_in
from tests.browser.test_referral_forms import heading
from tests.browser.test_referral_page import press_by_keyboard
from tests.smtp_server import SMTPServer, free_port
from tests.test_example_client import Example

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "issue-11-journey"
TOKEN = re.compile(r"fdk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")
SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")
RESPONSE = "A strategy discussion is being held today; the social worker will call you."


def shot(web: CheckedPage, name: str) -> None:
    screenshots(web, SHOTS, name)


def test_the_api_journey(
    open_page: Callable[..., CheckedPage],
    live_server: Any,
    settings: LazySettings,
    smtp_server: SMTPServer,
    administrator: User,
    professional: User,
    mash_staff: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
    run_pdf_tasks: Callable[[], None],
    tmp_path: Path,
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = live_server.url
    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # the receiver is on 127.0.0.1, as in development
    settings.RETENTION_DAYS_AFTER_IMPORT = 30

    SHOTS.mkdir(parents=True, exist_ok=True)
    # --- 1. The administrator: a client for Social Care, its token, its webhook -----------
    admin = open_page(java_script_enabled=False)
    sign_in(admin, administrator, run_tasks, smtp_server)
    admin.goto("/admin/api/apiclient/add/")
    admin.page.get_by_label("Name:").fill("Liquidlogic LCS")
    admin.page.get_by_label("Children's Social Care (MASH)").check()
    admin.page.screenshot(path=str(SHOTS / "client-add.png"), full_page=True)
    admin.page.get_by_role("button", name="Save", exact=True).focus()
    admin._navigate_by(lambda: admin.page.keyboard.press("Enter"))
    heading(admin, "Tokens of Liquidlogic LCS")
    press_by_keyboard(admin, "Issue a new token")
    issued = TOKEN.search(admin.page.get_by_test_id("issued").inner_text())
    assert issued is not None
    token = issued.group(0)
    shot(admin, "token-issued")

    port = free_port()
    admin.follow("Webhooks of Liquidlogic LCS")
    admin.fill("URL", f"http://127.0.0.1:{port}/hooks")
    press_by_keyboard(admin, "Register the endpoint")
    found = SECRET.search(admin.page.get_by_test_id("secret").inner_text())
    assert found is not None
    secret = found.group(0)
    shot(admin, "webhook-registered")
    system = ApiClient.objects.get(name="Liquidlogic LCS")
    assert list(system.teams.values_list("slug", flat=True)) == ["social-care"]

    example = Example(live_server.url, token, tmp_path)
    receiving = example.receive(port, secret)
    try:
        # --- 2. A referral with two documents; the signed referral.received -------------
        chronology, photo = files.pdf("A chronology", pages=2), files.image("PNG")
        sent = send_with(
            professional,
            "social-care-referral",
            ("chronology.pdf", chronology),
            ("photo.png", photo),
        )
        reference = sent.reference
        run_tasks()  # the worker sends the webhook (and the emails)
        out, err = receiving.communicate(timeout=30)
    finally:
        receiving.kill()
        receiving.wait()
    assert receiving.returncode == 0, err
    assert out.strip() == f"received referral.received for {reference}"  # verified

    # --- 3. The example takes it in, marks it imported, decides it -----------------------
    run_pdf_tasks()
    polled = example.run("poll")
    assert polled.returncode == 0, polled.stderr
    assert polled.stdout == f"{reference} imported as LCS-12345 (2 documents and the PDF copy)\n"
    folder = tmp_path / "in" / reference
    assert (folder / "documents" / "01-chronology.pdf").read_bytes() == chronology
    assert (folder / "documents" / "02-photo.png").read_bytes() == photo
    assert '"first_name": "Ava"' in (folder / "referral.json").read_text()  # typed answers
    decided = example.run("decide", reference, "strategy-discussion", RESPONSE)
    assert decided.returncode == 0, decided.stderr
    assert decided.stdout == f"{reference} decided: Strategy discussion (s47) (stage closed)\n"

    # --- 4. The MASH worker's history names the system ------------------------------------
    worker = open_page()
    sign_in(worker, mash_staff, run_tasks, smtp_server)
    worker.goto(f"/team/{reference}/")
    history = worker.page.get_by_test_id("history")
    expect(history).to_contain_text("Imported into Liquidlogic LCS as LCS-12345")
    expect(history).to_contain_text("Liquidlogic LCS: Decided: Strategy discussion (s47)")
    shot(worker, "history")

    # --- 5. The referrer: the email, then the response -----------------------------------
    run_tasks()
    told = [m for m in emails_to(smtp_server, professional.email) if reference in str(m["Subject"])]
    [outcome] = [m for m in told if "There is a response" in SMTPServer.text(m)]
    assert "Strategy discussion" not in SMTPServer.text(outcome)  # read signed in
    referrer = open_page()
    through_sign_in(
        referrer, link_in(outcome, live_server.url), professional, run_tasks, smtp_server
    )
    heading(referrer, "View Submitted Forms")
    row = referrer.main.locator("tbody tr").filter(has_text=reference)
    expect(row).to_contain_text("Response available")
    referrer.follow(reference, within=row)
    expect(referrer.main).to_contain_text(RESPONSE)
    shot(referrer, "referrer-response")

    # --- 6. A LADO client cannot see it ---------------------------------------------------
    _, lado_token = clients.create_client("LADO system", [teams["lado"]])
    lado = Client(headers={"Authorization": f"Bearer {lado_token}"})
    assert lado.get(f"/api/v1/referrals/{reference}").status_code == 404

    # --- 7. Retention: not a second before 30 days after import and closure, then gone ----
    case = Case.objects.get(submission=sent)
    imported = ApiImport.objects.get(case=case, client=system)
    due = max(case.closed_at, imported.imported_at) + datetime.timedelta(days=30)
    stored = [d.stored_as for d in Document.objects.filter(submission=sent)]
    stored.append(PdfCopy.objects.get(submission=sent).stored_as)
    assert all(documents_storage().exists(name) for name in stored)
    assert apply_retention(now=due - datetime.timedelta(seconds=1))["referrals"] == 0
    assert Case.objects.filter(pk=case.pk).exists()
    assert apply_retention(now=due)["referrals"] == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not any(documents_storage().exists(name) for name in stored)
    tombstone = Tombstone.objects.get(reference=reference)
    assert tombstone.outcome == "strategy-discussion"

    gone = Client(headers={"Authorization": f"Bearer {token}"}).get(
        f"/api/v1/referrals/{reference}"
    )
    assert gone.status_code == 410
    assert gone["Content-Type"] == "application/problem+json"
    assert gone.json()["tombstone"]["reference"] == reference
    assert lado.get(f"/api/v1/referrals/{reference}").status_code == 404

    # --- 8. The audit viewer: every call the system made ----------------------------------
    admin.goto("/admin/audit/auditevent/log/")
    heading(admin, "Audit log")
    admin.field("Referral reference").fill(reference)
    press_by_keyboard(admin, "Filter")
    events = admin.main.get_by_role("table")
    for action in (
        "api.referral.viewed",
        "api.document.downloaded",
        "api.pdf.downloaded",
        "api.referral.imported",
        "case.decided",
        "retention.referral_removed",
    ):
        expect(events).to_contain_text(action)
    expect(events).to_contain_text("API client: Liquidlogic LCS")
    shot(admin, "audit-log")
