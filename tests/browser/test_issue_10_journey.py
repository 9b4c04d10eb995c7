"""Issue 10's "done when" as one journey, tried as a new user would, in a real Chromium
against the live server, with the real task worker, a real SMTP server (every email, sign-in
codes too, is read where it arrived), the real clamd and the database the suite runs on
(PostgreSQL in CI).

A school's Social Care referral arrives on a working day (the clock is set, with
time_machine, to 10:00 on the next working day from today: the journey's "next working day"
is then real on the council's calendar). A MASH worker asks the referrer a question; the
referrer is emailed (the reference and a link, nothing else), signs in, finds the question
under View Submitted Forms and answers it with text and a document; the worker's inbox says
"Information received" and the answer and document are on the referral. The worker records
a police check due that day; on the next working day (time-travelled) it is overdue on the
referral, in the inbox (its tag, its filter) and on the manager's dashboard. A manager
restricts another referral to that worker: a second worker gets 404 for it and does not see
it listed. The manager decides a third referral within its timescale, and the dashboard
shows both at once: 100% of decisions within timescale, and the first referral's overdue
check (deciding closes a Social Care referral, and a closed referral's checks are not
counted as overdue: cases/partner_checks.py and cases/figures.py, so the check and the
decision are on two referrals). The manager exports the inbox, where a child named as a
spreadsheet formula is neutralised.
An administrator closes the account of a leaver with a draft, handed to a colleague at the
same school, who is emailed and finds it; the leaver's session ends and sign-in is refused.
The audit viewer, filtered by the first referral's reference, finds every step; by the
decided one's, the decision.

Every page is checked by axe-core and the W3C checker (conftest.py); each page of the
journey reflows at 320 px with its controls in contrast and is kept as a screenshot
(SCREENSHOTS, default /tmp/shots, in issue-10-journey/). Staff act with the keyboard.
"""

import csv
import datetime
import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import LazySettings
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from frontdoor.accounts.models import Team, User
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.cases.models import Case, PartnerCheck
from frontdoor.cases.timescales import Calendar
from frontdoor.documents.tests import files
from frontdoor.enquiries.models import Enquiry
from frontdoor.referrals.models import Draft
from tests.browser.conftest import CheckedPage, check_error_page, screenshots
from tests.browser.test_back_office_journey import (
    choose_by_keyboard,
    emails_to,
    everything_in,
    link_in,
    sign_in,
    tab_to,
)
from tests.browser.test_documents import chosen
from tests.browser.test_referral_forms import SOCIAL_CARE, heading, start_form
from tests.browser.test_referral_page import manager_of, press_by_keyboard
from tests.sending import CHILD
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "issue-10-journey"
LONDON = ZoneInfo("Europe/London")
MASH_MAILBOX = "mash@council.example"
QUESTION = "Which school does Ava attend now, and since when?"
ANSWER = "Riverside Primary, since September. Her plan is attached."
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
# What any email about the first referral must not say: its children, its answers.
PRIVATE = ("Ava", "Ben", "Example", "Riverside Primary, since", "Which school")


def shot(web: CheckedPage, name: str) -> None:
    screenshots(web, SHOTS, name)


def assert_private(said: str) -> None:
    for private in PRIVATE:
        assert not re.search(rf"\b{re.escape(private)}\b", said), private


def working_days() -> tuple[datetime.datetime, datetime.datetime]:
    """10:00 on the first working day after today, and 09:05 on the working day after that
    (before the 1-working-day decision timescale runs out at 10:00)."""
    calendar = Calendar.from_settings()
    first = calendar.next_working_day(timezone.localdate())
    second = calendar.next_working_day(first)
    return (
        datetime.datetime.combine(first, datetime.time(10, 0), LONDON),
        datetime.datetime.combine(second, datetime.time(9, 5), LONDON),
    )


def sign_in_again(web: CheckedPage, user: User, run_tasks: Callable[[], None], smtp: SMTPServer):
    """The next working day yesterday's session has timed out (SESSION_IDLE_MINUTES):
    signed out, sign in again."""
    web.goto("/")
    expect(web.page.get_by_test_id("signed-in-as")).to_have_count(0)
    sign_in(web, user, run_tasks, smtp)


def test_issue_10_done_when(
    open_page: Callable[..., CheckedPage],
    live_server: Any,
    settings: LazySettings,
    smtp_server: SMTPServer,
    professional: User,
    mash_staff: User,
    administrator: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = live_server.url  # the emails' links lead to this server
    first_day, next_day = working_days()
    with time_machine.travel(first_day, tick=True) as clock:
        the_journey(
            open_page,
            live_server,
            smtp_server,
            professional,
            mash_staff,
            administrator,
            teams,
            run_tasks,
            lambda: clock.move_to(next_day),
        )


def the_journey(
    open_page: Callable[..., CheckedPage],
    live_server: Any,
    smtp: SMTPServer,
    professional: User,
    mash_staff: User,
    administrator: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
    next_working_day: Callable[[], None],
) -> None:
    manager = manager_of("social-care", "mash.manager@council.example.gov.uk", "Dana", "Hughes")
    second_worker = make_user("second.worker@council.example.gov.uk", "Jamie", "Cole")
    second_worker.teams.add(teams["social-care"])
    leaver = make_user(
        "class.teacher@school.example.org",
        "Tom",
        "Baker",
        is_professional=True,
        organisation="Riverside Primary School",
        job_title="Class teacher",
    )

    # --- 1. A professional's Social Care referral, and two more ---------------------------
    first = referral(professional)
    other = referral(professional, children=[{**CHILD, "first_name": "Noah", "last_name": "Jones"}])
    formula = referral(professional, children=[{**CHILD, "first_name": HYPERLINK}])
    decided = referral(
        professional, children=[{**CHILD, "first_name": "Lily", "last_name": "Ward"}]
    )
    ref = first.reference
    page_url = f"/team/{ref}/"
    run_tasks()

    # --- 2. The MASH worker asks the referrer a question, with the keyboard ---------------
    worker = open_page()
    sign_in(worker, mash_staff, run_tasks, smtp)
    worker.goto("/team/")
    heading(worker, "Your team's forms")
    worker.follow(ref, within=worker.main)
    heading(worker, SOCIAL_CARE)
    expect(worker.main).to_contain_text("No questions asked")
    shot(worker, "referral")
    worker.page.get_by_label("Your question for the referrer").focus()
    worker.page.keyboard.type(QUESTION)
    press_by_keyboard(worker, "Send the question")
    expect(worker.main).to_contain_text("Question sent to the referrer")
    expect(worker.page.get_by_test_id("enquiry")).to_contain_text("Waiting for an answer")
    shot(worker, "referral-asked")

    # The referrer's email: the reference and a link, nothing of the form or the question.
    run_tasks()
    [asked] = [
        m
        for m in emails_to(smtp, professional.email)
        if str(m["Subject"]).strip().startswith("A question about your form")
    ]
    assert ref in asked["Subject"]
    assert_private(everything_in(asked))
    assert link_in(asked, live_server.url) == f"/forms/sent/{ref}/"

    # The referrer signs in, finds the question under View Submitted Forms, answers it.
    referrer = open_page()
    sign_in(referrer, professional, run_tasks, smtp)
    referrer.follow("View Submitted Forms", within=referrer.main)
    heading(referrer, "View Submitted Forms")
    row = referrer.main.locator("tbody tr").filter(has_text=ref)
    expect(row).to_contain_text("Question waiting for your answer")
    shot(referrer, "submitted-forms")
    referrer.follow(ref, within=row)
    expect(referrer.page.get_by_test_id("waiting-question")).to_contain_text(QUESTION)
    shot(referrer, "sent-form-question")
    press_by_keyboard(referrer, "Answer this question")
    heading(referrer, "Answer the team’s question")
    referrer.page.get_by_label("Your answer").fill(ANSWER)
    referrer.page.get_by_label("Upload a file (optional)").set_input_files(
        [chosen("plan.pdf", files.pdf("Ava's plan"))]
    )
    referrer.submit("Upload Document")  # scanned by the real clamd
    expect(referrer.page.get_by_role("alert")).to_contain_text("‘plan.pdf’ has been uploaded")
    expect(referrer.page.get_by_label("Your answer")).to_have_value(ANSWER)  # kept
    shot(referrer, "answer")
    press_by_keyboard(referrer, "Send to the team")
    expect(referrer.main).to_contain_text("Your answer has been sent to the team")
    expect(referrer.page.get_by_test_id("sent-information")).to_contain_text("1 document")
    shot(referrer, "answer-sent")

    # --- 3. The worker's inbox: "Information received"; the answer on the referral -------
    run_tasks()
    [told] = [m for m in emails_to(smtp, MASH_MAILBOX) if "answer" in str(m["Subject"])]
    assert_private(everything_in(told))
    worker.goto("/team/")
    row = worker.main.locator(".fd-inbox-table tbody tr").filter(has_text=ref)
    expect(row).to_contain_text("Information received")
    shot(worker, "inbox-information-received")
    worker.follow(ref, within=row)
    expect(worker.page.get_by_test_id("answer")).to_contain_text(ANSWER)
    expect(worker.page.get_by_test_id("information-received")).to_be_visible()
    document = worker.page.get_by_test_id("enquiry").get_by_role("link", name="plan.pdf")
    expect(document).to_be_visible()
    shot(worker, "referral-answered")
    with worker.page.expect_download() as download:
        document.click()
    assert download.value.suggested_filename == "plan.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # --- 4. A police check due today (as for a red-rated contact), with the keyboard ------
    today = timezone.localdate()  # the travelled-to day
    press_by_keyboard(worker, "Record a partner check")
    heading(worker, "Record a partner check")
    choose_by_keyboard(worker, "Agency asked", "Police")
    tab_to(worker, "Which service or agency")
    worker.page.keyboard.type("Public Protection Unit")
    tab_to(worker, "Who was asked")
    worker.page.keyboard.type("DC Sam Lee, 01632 960111")
    due = worker.page.get_by_role("group", name="Due date")
    for part, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        due.get_by_label(part).focus()
        worker.page.keyboard.type(str(value))
    shot(worker, "record-check")
    press_by_keyboard(worker, "Record the check")
    expect(worker.main).to_contain_text("Partner check recorded")
    police = worker.page.get_by_test_id("partner-check").filter(has_text="Public Protection Unit")
    expect(police).to_contain_text("Waiting for a reply")
    expect(worker.page.get_by_test_id("checks-overdue")).to_have_count(0)  # due today
    assert PartnerCheck.objects.get().due_on == today

    # --- 5. A manager restricts another referral to one colleague, with the keyboard ------
    boss = open_page()
    sign_in(boss, manager, run_tasks, smtp)
    boss.goto(f"/team/{other.reference}/")
    press_by_keyboard(boss, "Restrict who can see this referral")
    heading(boss, "Restrict who can see this referral")
    box = boss.page.get_by_role("checkbox", name="Morgan Reid")
    box.focus()
    boss.page.keyboard.press("Space")
    expect(box).to_be_checked()
    shot(boss, "restrict")
    press_by_keyboard(boss, "Restrict the referral")
    expect(boss.main).to_contain_text("Referral restricted")
    panel = boss.page.get_by_test_id("restricted")
    expect(panel).to_contain_text("Morgan Reid")
    expect(panel).not_to_contain_text("Jamie Cole")
    shot(boss, "referral-restricted")

    colleague = open_page()
    sign_in(colleague, second_worker, run_tasks, smtp)
    colleague.goto("/team/in/social-care/")
    heading(colleague, "Your team's forms")
    expect(colleague.main).to_contain_text(ref)
    expect(colleague.main).not_to_contain_text(other.reference)
    shot(colleague, "second-worker-inbox")
    check_error_page(colleague, "handler404", 404, path=f"/team/{other.reference}/")
    expect(colleague.page.get_by_role("heading", level=1)).to_contain_text("Page not found")
    # The worker it is restricted to still sees it.
    worker.goto("/team/in/social-care/")
    expect(worker.main.get_by_role("row", name=other.reference)).to_contain_text("Restricted")

    # --- 4 (cont.). The next working day: the check is overdue ----------------------------
    next_working_day()
    assert timezone.localdate() > today
    sign_in_again(worker, mash_staff, run_tasks, smtp)
    worker.goto(page_url)
    expect(worker.page.get_by_test_id("checks-overdue")).to_contain_text(
        "1 partner check is overdue"
    )
    shot(worker, "referral-check-overdue")
    worker.goto("/team/in/social-care/")
    rows = worker.main.locator(".fd-inbox-table tbody tr")
    expect(rows.filter(has_text=ref)).to_contain_text("Partner check overdue")
    expect(rows.filter(has_text="Partner check overdue")).to_have_count(1)
    worker.page.get_by_label("Partner checks overdue").check()
    worker.submit("Apply filters")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ref)
    shot(worker, "inbox-checks-overdue")

    # --- 6. The dashboard: the overdue check; the decision, within timescale -----------
    sign_in_again(boss, manager, run_tasks, smtp)
    boss.goto("/team/in/social-care/")
    boss.follow("Team dashboard")
    heading(boss, "Team dashboard")
    expect(boss.page.get_by_test_id("checks")).to_contain_text(re.compile(r"Overdue now\s*1\b"))
    shot(boss, "dashboard-check-overdue")

    boss.goto(f"/team/{decided.reference}/")
    choose_by_keyboard(boss, "Decision", "Strategy discussion (s47)")
    press_by_keyboard(boss, "Continue")
    heading(boss, "Decide")
    shot(boss, "decide")
    press_by_keyboard(boss, "Send the decision")
    expect(boss.main).to_contain_text("Decision sent")
    expect(boss.page.get_by_test_id("case-summary")).to_contain_text("Strategy discussion (s47)")
    case = Case.objects.get(pk=decided.pk)
    assert case.decided_at is not None
    assert case.due_at is not None
    assert case.decided_at <= case.due_at
    boss.follow("Back to your team's forms")
    boss.follow("Team dashboard")
    # Both at once: the decision within timescale, and the first referral's overdue check.
    expect(boss.page.get_by_test_id("decisions")).to_contain_text("100% (1 of 1)")
    expect(boss.page.get_by_test_id("checks")).to_contain_text(re.compile(r"Overdue now\s*1\b"))
    shot(boss, "dashboard-decided")

    # --- 7. The export: a child named as a formula, neutralised -----------------------
    boss.goto("/team/in/social-care/")
    form = boss.page.get_by_test_id("export")
    form.get_by_role("checkbox").focus()
    boss.page.keyboard.press("Space")  # include the children's names
    shot(boss, "inbox-export")
    with boss.page.expect_download() as exported:
        boss.page.keyboard.press("Tab")
        boss.page.keyboard.press("Enter")
    text = Path(exported.value.path()).read_text("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    by_reference = {row["Reference"]: row for row in table}
    # The open referrals: the decided one is closed.
    assert set(by_reference) == {ref, other.reference, formula.reference}
    assert by_reference[formula.reference]["Children's names"] == (
        "'" + HYPERLINK + " " + CHILD["last_name"]
    )
    assert by_reference[other.reference]["Restricted"] == "Yes"

    # --- 8. An administrator closes a leaver's account; the draft goes to a colleague ---
    gone = open_page()
    sign_in(gone, leaver, run_tasks, smtp)
    draft_id = start_form(gone, SOCIAL_CARE)
    admin = open_page()
    sign_in(admin, administrator, run_tasks, smtp)
    admin.goto(f"/admin/accounts/user/{leaver.pk}/leaver/")
    heading(admin, "Close the account of a leaver")
    expect(admin.main).to_contain_text("Tom Baker")
    admin.field("Hand their drafts to").focus()
    admin.page.keyboard.type(professional.email)
    shot(admin, "leaver")
    press_by_keyboard(admin, "Close the account")
    heading(admin, "Closed account")
    expect(admin.main).to_contain_text(
        "Account closed: its sessions have ended. 1 draft handed over"
    )
    shot(admin, "leaver-closed")
    assert Draft.objects.get(pk=draft_id).owner == professional

    run_tasks()
    [handed] = [
        m for m in emails_to(smtp, professional.email) if "Recover a form" in SMTPServer.text(m)
    ]
    assert "Tom" not in everything_in(handed)
    assert "Baker" not in everything_in(handed)
    sign_in_again(referrer, professional, run_tasks, smtp)  # yesterday's session is over
    referrer.goto("/forms/recover/")
    expect(referrer.main.get_by_role("link", name="Continue").first).to_be_visible()
    shot(referrer, "recover-handed-draft")

    # The leaver's session has ended, and signing in is refused.
    gone.goto("/")
    expect(gone.page.get_by_test_id("signed-in-as")).to_have_count(0)
    gone.follow("Sign in", within=gone.header)
    gone.fill("Email", leaver.email)
    gone.fill("Password", PASSWORD)
    gone.submit("Submit")
    expect(gone.main).to_contain_text("This account has been closed")
    shot(gone, "leaver-refused")

    # --- 9. The audit viewer, by the first referral's reference: every step ----------
    admin.goto("/admin/audit/auditevent/log/")
    heading(admin, "Audit log")
    admin.field("Referral reference").focus()
    admin.page.keyboard.type(ref)
    press_by_keyboard(admin, "Filter")
    assert f"reference={ref}" in admin.page.url
    shot(admin, "audit-log")
    # One page of them (no "page 1 of 2"): every event is in the table.
    expect(admin.page.locator("#results-count")).to_have_text(re.compile(r"^\d+ events found$"))
    events = admin.main.get_by_role("table")
    for action in (
        "draft.started",  # the referral's draft, before it was sent
        "submission.sent",
        "submission.viewed",
        "case.referrer_asked",
        "enquiry.viewed",
        "enquiry.saved",
        "document.uploaded",
        "enquiry.sent",
        "document.downloaded",
        "case.partner_check_asked",
    ):
        expect(events).to_contain_text(action)
    for elsewhere in ("case.restricted", "inbox.exported", "account.deactivated"):
        expect(events).not_to_contain_text(elsewhere)  # about other things
    with admin.page.expect_download() as download:
        admin.main.get_by_role("link", name=re.compile("Download these events")).click()
    logged = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    found = {(row["Action"], row["Account"]) for row in logged}
    assert {
        ("submission.sent", str(professional.pk)),
        ("submission.viewed", str(mash_staff.pk)),
        ("case.referrer_asked", str(mash_staff.pk)),
        ("submission.viewed", str(professional.pk)),
        ("enquiry.viewed", str(professional.pk)),
        ("enquiry.saved", str(professional.pk)),
        ("document.uploaded", str(professional.pk)),
        ("enquiry.sent", str(professional.pk)),
        ("document.downloaded", str(mash_staff.pk)),
        ("case.partner_check_asked", str(mash_staff.pk)),
    } <= found, found
    assert {row["Reference"] for row in logged} <= {ref, ""}
    assert Enquiry.objects.get(case_id=first.pk).answered_at is not None
    assert AuditEvent.objects.filter(
        action="audit.viewed", actor_id=administrator.pk, detail__filter__reference=ref
    ).exists()
    # The decision, by the decided referral's reference.
    admin.field("Referral reference").fill(decided.reference)
    press_by_keyboard(admin, "Filter")
    events = admin.main.get_by_role("table")
    for action in ("submission.viewed", "submission.outcome_recorded", "case.decided"):
        expect(events).to_contain_text(action)
    decision = events.get_by_role("row").filter(has_text="case.decided")
    expect(decision).to_contain_text("Dana Hughes (staff)")  # the manager
