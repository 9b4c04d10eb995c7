"""Issue 9's "done when" as one journey in a real browser, with the real task worker, a
real SMTP server (every email, sign-in codes too, is read where it arrived) and the
database the suite runs on (PostgreSQL in CI).

A school's safeguarding lead types a Social Care referral about two siblings at risk of
significant harm now; the same lead's LADO referral and another school's referral about one
of the siblings are sent through the real code (tests/sending.py). The MASH worker signs in
through the link in the team's "Urgent" notice and lands on the referral; the inbox shows
the urgent one first; a search for the surname finds both Social Care referrals, each a
repeat of the other; the worker assigns it, rates it, notes and proposes "Strategy
discussion (s47)", assigning and deciding with the keyboard only; a manager confirms. The
referrer follows the outcome email to View Submitted Forms and reads the response, never
the note; the LADO officer sees only the LADO referral (404 for the others); the worker
transfers the other referral to Early Help, whose worker finds it in their inbox. Every
step is in the audit log. Every page is checked by axe-core and the W3C checker (see
conftest.py); each back-office page reflows at 320 px and its controls are in contrast,
and is kept as a screenshot (SCREENSHOTS, default /tmp/shots/journey).
"""

import datetime
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import LazySettings
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from frontdoor.accounts.models import Team, User
from frontdoor.audit.models import AuditEvent
from frontdoor.cases.models import Case
from frontdoor.referrals.models import Submission
from tests.browser.conftest import (
    CheckedPage,
    check_error_page,
    screenshots,
)
from tests.browser.test_referral_forms import (
    SOCIAL_CARE,
    SOCIAL_CARE_SECTIONS,
    heading,
    start_form,
    status_of,
    task_list,
)
from tests.browser.test_referral_page import manager_of, press_by_keyboard
from tests.sending import CHILD, send
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "journey"
MASH_MAILBOX = "mash@council.example"
NOTE = "Spoke to the school nurse: keep this internal"
RESPONSE = "We are holding a strategy discussion today."
# The siblings as typed by test_referral_forms' helpers (Ava and Ben Smith).
AVA = {
    **CHILD,
    "first_name": "Ava",
    "last_name": "Smith",
    "date_of_birth": datetime.date(2019, 7, 4),
}


def shot(web: CheckedPage, name: str) -> None:
    screenshots(web, SHOTS, name)


def emails_to(smtp: SMTPServer, address: str) -> list[Any]:
    return [m for m in smtp.messages if m["To"] == address]


def everything_in(message: Any) -> str:
    """A message's subject and every text part of it (plain and HTML), decoded."""
    parts = [str(message["Subject"])]
    parts += [
        str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"
    ]
    return "\n".join(parts)


def code_for(smtp: SMTPServer, address: str) -> str:
    """The sign-in code in the newest email to `address` at the SMTP server."""
    for message in reversed(emails_to(smtp, address)):
        match = re.search(r"\b(\d{6})\b", SMTPServer.text(message))
        if match:
            return match.group(1)
    raise AssertionError(f"No code reached {address}")


def link_in(message: Any, live_url: str) -> str:
    """The path of the one link to this site in a message's plain text."""
    [link] = re.findall(rf"{re.escape(live_url)}/\S*", SMTPServer.text(message))
    return urlsplit(link).path


def sign_in_form(web: CheckedPage, user: User, run_tasks: Callable[[], None], smtp: SMTPServer):
    """On the sign-in page: password, then the code that arrived at the SMTP server."""
    heading(web, "Secure login - step 1")
    web.fill("Email", user.email)
    web.fill("Password", PASSWORD)
    web.submit("Submit")
    heading(web, "Secure login - step 2")
    run_tasks()
    web.fill("Verification code", code_for(smtp, user.email))
    web.submit("Submit")
    expect(web.page.get_by_test_id("signed-in-as")).to_be_visible()


def sign_in(web: CheckedPage, user: User, run_tasks: Callable[[], None], smtp: SMTPServer):
    web.goto("/")
    web.follow("Sign in", within=web.header)
    sign_in_form(web, user, run_tasks, smtp)


def through_sign_in(
    web: CheckedPage, path: str, user: User, run_tasks: Callable[[], None], smtp: SMTPServer
):
    """Follow an emailed link while signed out: sign in, and land where it pointed."""
    web.goto(path)
    sign_in_form(web, user, run_tasks, smtp)
    assert urlsplit(web.page.url).path == path, web.page.url


# The accessible name of the focused element: a button's or link's text, a field's label.
FOCUSED_NAME = """() => {
  const e = document.activeElement;
  if (!e) return '';
  const name = (e.labels && e.labels.length) ? e.labels[0].innerText : (e.innerText || e.value);
  return (name || '').replace(/\\s*\\*\\s*$/, '');
}"""


def tab_to(web: CheckedPage, name: str) -> None:
    """Tab from the top of the page to the control named `name` (nothing else focuses it)."""
    web.page.locator("body").focus()
    for _ in range(200):
        web.page.keyboard.press("Tab")
        if web.page.evaluate(FOCUSED_NAME).strip() == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def choose_by_keyboard(web: CheckedPage, group: str, name: str) -> None:
    """Tab into the radios of the fieldset `group`, then arrow down to `name` (which checks
    it): a group of radios is one Tab stop."""
    web.page.locator("body").focus()
    in_group = (
        "(group) => { const e = document.activeElement; const set = e && e.closest('fieldset');"
        " return !!set && e.type === 'radio' && set.querySelector('legend').innerText"
        ".replace(/\\*\\s*$/, '').trim() === group; }"
    )
    for _ in range(200):
        web.page.keyboard.press("Tab")
        if web.page.evaluate(in_group, group):
            break
    else:
        raise AssertionError(f"The radios of {group!r} cannot be reached with the Tab key")
    for _ in range(20):
        if web.page.evaluate(FOCUSED_NAME).strip() == name:
            web.page.keyboard.press("Space")  # the first radio is focused, not yet checked
            return
        web.page.keyboard.press("ArrowDown")
    raise AssertionError(f"{name!r} is not one of the radios of {group!r}")


def type_the_urgent_referral(web: CheckedPage) -> str:
    """The Social Care referral about Ava and Ben, at risk now, typed page by page."""
    start_form(web, SOCIAL_CARE)
    for title, fill_in in SOCIAL_CARE_SECTIONS.items():
        web.follow(title, within=task_list(web))
        if title == "Immediate risk":
            web.choose("Yes", group="Is the child at risk of significant harm now?")
            web.choose("No", group="Are you worried about the child's safety tonight?")
            web.submit("Save and continue")
            heading(web, "Phone now")
            web.follow("Continue with the form", within=web.main)
        else:
            fill_in(web)
        heading(web, SOCIAL_CARE)
        expect(status_of(web, title)).to_have_text("Completed")
    web.follow("Check your answers", within=web.main)
    heading(web, "Check your answers before sending your form")
    web.submit("Send Report to Local Authority")
    panel = web.page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Form sent")
    return panel.locator("strong").inner_text().strip()


def test_the_back_office_journey(
    open_page: Callable[..., CheckedPage],
    live_server: Any,
    settings: LazySettings,
    smtp_server: SMTPServer,
    professional: User,
    mash_staff: User,
    early_help_staff: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
) -> None:
    settings.MAILERS = smtp_server.mailers()
    settings.SITE_URL = live_server.url  # the emails' links lead to this server
    other_school = make_user(
        "dsl@oakfield.example.org",
        "Olu",
        "Adeyemi",
        is_professional=True,
        organisation="Oakfield Academy",
        job_title="Designated safeguarding lead",
    )
    manager = manager_of("social-care", "mash.manager@council.example.gov.uk", "Dana", "Hughes")
    lado_officer = make_user(
        "lado.officer@council.example.gov.uk", "Lee", "Okafor", is_professional=True
    )
    lado_officer.teams.add(teams["lado"])

    # --- The referrals ---------------------------------------------------------------------
    referrer = open_page()
    sign_in(referrer, professional, run_tasks, smtp_server)
    urgent = type_the_urgent_referral(referrer)
    lado = send(professional, "lado-referral").reference
    repeat = send(
        other_school,
        "social-care-referral",
        children=[AVA],
        your_details={"first_name": "Olu", "last_name": "Adeyemi", "email": other_school.email},
        your_work={"organisation": "Oakfield Academy", "job_title": "Designated safeguarding lead"},
    ).reference
    run_tasks()
    referrer.submit("Sign out", within=referrer.header)

    # --- The MASH worker: from the Urgent notice, through sign-in, to the referral ----------
    [notice] = [m for m in emails_to(smtp_server, MASH_MAILBOX) if urgent in m["Subject"]]
    assert notice["Subject"].startswith(f"Urgent: new form {urgent} ")
    assert "Smith" not in notice["Subject"] + SMTPServer.text(notice)
    mash = open_page()
    through_sign_in(mash, link_in(notice, live_server.url), mash_staff, run_tasks, smtp_server)
    heading(mash, SOCIAL_CARE)
    expect(mash.page.locator(".govuk-caption-l")).to_have_text(urgent)
    expect(mash.main).to_contain_text("Urgent: At risk of significant harm now")
    shot(mash, "referral-from-notice")

    # The inbox: the urgent one first, with its children, flags and time left.
    mash.follow("Back to your team's forms")
    heading(mash, "Your team's forms")
    rows = mash.main.locator(".fd-inbox-table tbody tr")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first).to_contain_text(urgent)
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text("At risk of significant harm now")
    expect(first.locator("[data-label=Children] li")).to_have_text(
        ["Ava Smith, 7", "Ben Smith, 10"]
    )
    expect(first.locator(".fd-inbox-table__time-left")).to_have_text(re.compile(r"^Due "))
    expect(first).to_contain_text("Repeat: 1 other referral")
    expect(rows.nth(1)).to_contain_text(repeat)
    expect(mash.main).not_to_contain_text(lado)
    shot(mash, "inbox")

    # Search the surname: both Social Care referrals, never the term in the URL.
    mash.fill("Search", "smith")
    mash.submit("Search")
    assert "smith" not in mash.page.url.lower()
    expect(rows).to_have_count(2)
    expect(mash.main).to_contain_text(urgent)
    expect(mash.main).to_contain_text(repeat)
    shot(mash, "inbox-search")

    # Each is linked to the other as a repeat.
    mash.follow(repeat, within=mash.main)
    expect(mash.page.get_by_test_id("repeats")).to_contain_text(urgent)
    mash.follow(urgent, within=mash.page.get_by_test_id("repeats"))
    expect(mash.page.locator(".govuk-caption-l")).to_have_text(urgent)
    expect(mash.page.get_by_test_id("repeats")).to_contain_text(repeat)

    # Assign and rate with the keyboard only; a note.
    press_by_keyboard(mash, "Assign to me")
    expect(mash.main).to_contain_text("Assignment saved")
    tab_to(mash, "Rate this referral")
    mash.page.keyboard.press("Enter")  # opens the details
    choose_by_keyboard(mash, "Rating", "Red")
    expect(mash.page.get_by_role("radio", name="Red")).to_be_checked()
    tab_to(mash, "Reason for the rating")
    mash.page.keyboard.type("Both children at risk now")
    press_by_keyboard(mash, "Save the rating")
    expect(mash.main).to_contain_text("Rating saved")
    mash.fill("Case note", NOTE)
    mash.submit("Add the note")
    expect(mash.page.get_by_test_id("notes")).to_contain_text(NOTE)
    shot(mash, "referral-rated-noted")

    # Propose the decision with the keyboard only: Tab to the outcome, Space, Continue.
    choose_by_keyboard(mash, "Decision", "Strategy discussion (s47)")
    expect(mash.page.get_by_role("radio", name="Strategy discussion (s47)")).to_be_checked()
    press_by_keyboard(mash, "Continue")
    heading(mash, "Propose a decision")
    tab_to(mash, "Response for the referrer")
    mash.page.keyboard.press("ControlOrMeta+a")
    mash.page.keyboard.type(RESPONSE)
    shot(mash, "propose")
    press_by_keyboard(mash, "Propose the decision")
    expect(mash.main).to_contain_text("a manager confirms it")
    expect(mash.page.get_by_test_id("case-summary")).to_contain_text("Waiting for a manager")

    # The manager confirms.
    boss = open_page()
    sign_in(boss, manager, run_tasks, smtp_server)
    boss.goto(f"/team/{urgent}/")
    boss.follow("Confirm the proposed decision")
    heading(boss, "Confirm the decision")
    expect(boss.field("Response for the referrer")).to_have_value(RESPONSE)
    shot(boss, "confirm")
    boss.submit("Confirm and send the decision")
    expect(boss.main).to_contain_text("Decision confirmed and sent")
    expect(boss.page.get_by_test_id("case-summary")).to_contain_text("Strategy discussion (s47)")
    expect(boss.main).to_contain_text("Email to the referrer: not sent yet")
    run_tasks()
    boss.page.reload()
    boss.check()
    expect(boss.main).to_contain_text(re.compile(r"Email to the referrer: sent on \d"))
    shot(boss, "referral-decided")

    # --- The referrer: the email (reference only), then the response, never the note -----
    told = [m for m in emails_to(smtp_server, professional.email) if urgent in m["Subject"]]
    [outcome] = [m for m in told if "There is a response" in SMTPServer.text(m)]
    said = everything_in(outcome)
    for private in ("Smith", "Ava", "Ben", "Strategy discussion", RESPONSE):
        # The reference only: the rest is read signed in.
        assert not re.search(rf"\b{re.escape(private)}\b", said), private
    for message in smtp_server.messages:
        assert "school nurse" not in everything_in(message)  # the note, in no email
    through_sign_in(
        referrer, link_in(outcome, live_server.url), professional, run_tasks, smtp_server
    )
    heading(referrer, "View Submitted Forms")
    row = referrer.main.locator("tbody tr").filter(has_text=urgent)
    expect(row).to_contain_text("Response available")
    referrer.follow(urgent, within=row)
    expect(referrer.main).to_contain_text(RESPONSE)
    expect(referrer.main).to_contain_text("Strategy discussion")
    expect(referrer.main).not_to_contain_text("school nurse")
    shot(referrer, "referrer-response")

    # --- The LADO officer: only the LADO referral ------------------------------------------
    officer = open_page()
    sign_in(officer, lado_officer, run_tasks, smtp_server)
    officer.goto("/team/")
    heading(officer, "Your team's forms")
    expect(officer.main.locator(".fd-inbox-table tbody tr")).to_have_count(1)
    expect(officer.main).to_contain_text(lado)
    shot(officer, "lado-inbox")
    officer.follow(lado, within=officer.main)
    heading(officer, "LADO referral")
    for other in (urgent, repeat):
        check_error_page(officer, "handler404", 404, path=f"/team/{other}/")

    # --- The MASH worker transfers the other referral to Early Help -------------------------
    mash.goto(f"/team/{repeat}/")
    mash.page.get_by_text("Transfer to another team").click()
    mash.choose("Early Help", group="Team")
    mash.fill("Reason for the transfer", "Early help fits better")
    mash.submit("Transfer the referral")
    expect(mash.main).to_contain_text("Referral transferred")
    expect(mash.page.get_by_test_id("read-only")).to_be_visible()
    shot(mash, "transferred")

    helper = open_page()
    sign_in(helper, early_help_staff, run_tasks, smtp_server)
    helper.goto("/team/")
    heading(helper, "Your team's forms")
    expect(helper.main.locator(".fd-inbox-table tbody tr").filter(has_text=repeat)).to_have_count(1)
    shot(helper, "early-help-inbox")
    helper.follow(repeat, within=helper.main)
    expect(helper.page.get_by_test_id("history")).to_contain_text("Early help fits better")

    # --- Every step is in the audit log ----------------------------------------------------
    first_pk = Submission.objects.get(reference=urgent).pk
    other_pk = Submission.objects.get(reference=repeat).pk

    def audited(pk: int) -> set[tuple[str, int | None]]:
        return set(AuditEvent.objects.filter(object_id=str(pk)).values_list("action", "actor_id"))

    assert {
        ("submission.sent", professional.pk),
        ("submission.viewed", mash_staff.pk),
        ("case.assigned", mash_staff.pk),
        ("case.rated", mash_staff.pk),
        ("case.note_added", mash_staff.pk),
        ("case.decision_proposed", mash_staff.pk),
        ("case.decided", manager.pk),
        ("submission.viewed", professional.pk),
    } <= audited(first_pk)
    lado_pk = Submission.objects.get(reference=lado).pk
    assert ("submission.viewed", lado_officer.pk) in audited(lado_pk)
    assert {
        ("submission.viewed", mash_staff.pk),
        ("case.transferred", mash_staff.pk),
        ("submission.viewed", early_help_staff.pk),
    } <= audited(other_pk)
    assert AuditEvent.objects.filter(action="inbox.searched", actor_id=mash_staff.pk).exists()
    assert Case.objects.get(pk=other_pk).team.slug == "early-help"
