"""Administration in a real browser: an administrator closes a leaver's account and hands
their draft to a colleague (who is emailed, over a real SMTP server, and finds the draft),
keyboard only; and finds a referral's every step in the audit log and exports them.
Every page checked by axe-core, kept as a screenshot at 1024 and 320 px
(SCREENSHOTS, default /tmp/shots/administration)."""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import LazySettings
from playwright.sync_api import expect

from conftest import make_user
from frontdoor.accounts.models import Team, User
from frontdoor.administration.tests.test_leavers import draft  # noqa: F401 - a fixture
from frontdoor.audit.services import record
from frontdoor.referrals.models import Draft
from tests.browser.conftest import CheckedPage, button_failures, contrast_failures, screenshots
from tests.browser.test_referral_forms import heading, sign_in
from tests.browser.test_referral_page import press_by_keyboard
from tests.sending import send
from tests.smtp_server import SMTPServer

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots")) / "administration"


def test_an_administrator_closes_a_leaver_and_hands_the_draft_to_a_colleague(
    open_page: Callable[..., CheckedPage],
    administrator: User,
    professional: User,
    draft: Draft,  # noqa: F811 - the fixture
    run_tasks: Callable[[], None],
    settings: LazySettings,
    smtp_server: SMTPServer,
):
    colleague = make_user("deputy@school.example.org", "Dee", "Brown", is_professional=True)
    theirs = open_page()
    theirs.goto("/")
    sign_in(theirs, colleague.email, run_tasks)
    web = open_page()
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    settings.MAILERS = smtp_server.mailers()
    web.goto(f"/admin/accounts/user/{professional.pk}/leaver/")
    heading(web, "Close the account of a leaver")
    expect(web.main).to_contain_text("Priya Patel")
    screenshots(web, SHOTS, "leaver")

    # Another organisation's professional is refused, with the GOV.UK error summary.
    web.field("Hand their drafts to").focus()
    web.page.keyboard.type("gp@surgery.example.nhs.uk")
    press_by_keyboard(web, "Close the account")
    expect(web.page.locator(".govuk-error-summary")).to_contain_text(
        "Drafts can only go to a colleague whose email address ends @school.example.org"
    )
    assert web.field("Hand their drafts to").input_value() == "gp@surgery.example.nhs.uk"
    screenshots(web, SHOTS, "leaver-error")

    web.field("Hand their drafts to").fill("")
    web.field("Hand their drafts to").focus()
    web.page.keyboard.type(colleague.email)
    press_by_keyboard(web, "Close the account")
    heading(web, "Closed account")
    expect(web.main).to_contain_text("Account closed: its sessions have ended. 1 draft handed over")
    screenshots(web, SHOTS, "leaver-closed")
    professional.refresh_from_db()
    assert not professional.is_active
    assert Draft.objects.get(pk=draft.pk).owner == colleague

    run_tasks()
    [email] = [m for m in smtp_server.messages if m["To"] == colleague.email]
    assert "Recover a form" in SMTPServer.text(email)
    theirs.goto("/forms/recover/")
    expect(theirs.main.get_by_role("link", name="Continue").first).to_be_visible()
    # The draft tells them whose it was, and what they must complete again.
    theirs.goto(f"/forms/draft/{draft.pk}/")
    note = theirs.page.get_by_test_id("handed-over")
    expect(note).to_contain_text("This form was handed over to you from Priya Patel")
    expect(note).to_contain_text("You send it as yourself")
    screenshots(theirs, SHOTS, "handed-over-draft")


def test_a_leaver_at_a_personal_email_domain_is_closed_without_a_hand_over(
    web: CheckedPage,
    administrator: User,
    draft: Draft,  # noqa: F811 - the fixture
    run_tasks: Callable[[], None],
):
    """Anyone can have an address at gmail.com: the page says no colleague can have the
    drafts, offers no field for one, and closes the account, keyboard only."""
    leaver = make_user("cam.minder@gmail.com", "Cam", "Minder", is_professional=True)
    Draft.objects.filter(pk=draft.pk).update(owner=leaver)
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    web.goto(f"/admin/accounts/user/{leaver.pk}/leaver/")
    heading(web, "Close the account of a leaver")
    expect(web.page.get_by_test_id("no-hand-over")).to_contain_text(
        "their email address is at gmail.com, a personal email service"
    )
    expect(web.page.get_by_label("Hand their drafts to")).to_have_count(0)
    screenshots(web, SHOTS, "leaver-personal-domain")

    press_by_keyboard(web, "Close the account")
    heading(web, "Closed account")
    expect(web.page.get_by_test_id("no-hand-over")).to_contain_text("They stay with this account")
    screenshots(web, SHOTS, "leaver-personal-domain-closed")
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert Draft.objects.get(pk=draft.pk).owner == leaver


def test_an_administrator_finds_a_referrals_steps_in_the_audit_log_and_exports_them(
    web: CheckedPage,
    administrator: User,
    professional: User,
    run_tasks: Callable[[], None],
):
    sent = send(professional, "social-care-referral")
    send(professional, "social-care-referral")  # another referral, not to be shown
    for n in range(60):
        record("test.bulk", actor=professional, n=n)
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    web.goto("/admin/audit/auditevent/log/")
    heading(web, "Audit log")
    expect(web.main.get_by_role("heading", level=2)).to_contain_text("events, page 1 of 2")
    screenshots(web, SHOTS, "audit-log")
    web.follow(re.compile(r"^Next"))
    expect(web.main.get_by_role("heading", level=2)).to_contain_text("page 2 of 2")

    # Keyboard only: type the reference, then Tab to the button and press Enter.
    web.field("Referral reference").focus()
    web.page.keyboard.type(sent.reference)
    press_by_keyboard(web, "Filter")
    assert f"reference={sent.reference}" in web.page.url
    table = web.main.get_by_role("table")
    expect(table).to_contain_text("submission.sent")
    expect(table).to_contain_text("draft.started")
    expect(table).not_to_contain_text("test.bulk")
    screenshots(web, SHOTS, "audit-log-filtered")

    with web.page.expect_download() as download:
        web.main.get_by_role("link", name=re.compile("Download these events")).click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        text = exported.read()
    assert "submission.sent" in text
    assert "test.bulk" not in text

    # A bad date: the error summary, with what was typed kept.
    start = web.page.get_by_role("group", name="On or after")
    start.get_by_label("Day").fill("31")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2026")
    web.submit("Filter")
    expect(web.page.locator(".govuk-error-summary")).to_contain_text(
        "On or after must be a real date"
    )
    screenshots(web, SHOTS, "audit-log-error")


def test_a_teams_administration_page_shows_its_workflow_and_timescales(
    web: CheckedPage,
    administrator: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
):
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    web.goto(f"/admin/accounts/team/{teams['social-care'].pk}/change/")
    expect(web.page.locator("body")).to_contain_text("Strategy discussion (s47)")
    expect(web.page.locator("body")).to_contain_text("1 working day")
    assert_admin_contrast(web)
    SHOTS.mkdir(parents=True, exist_ok=True)
    web.page.screenshot(path=str(SHOTS / "team.png"), full_page=True)


def assert_admin_contrast(web: CheckedPage) -> None:
    """The portal's own contrast checks on a page of Django's admin (axe-core ran on
    arrival), but for its icon links ("Add", "Change"), whose icon is a background image
    the check cannot see behind: their text is the admin's link colour, as on every link."""
    failures = [
        failure
        for failure in contrast_failures(web.page) + button_failures(web.page)
        if "cannot measure (a background image" not in failure
    ]
    assert not failures, f"{web.page.url}: {failures}"


def test_the_administration_sites_pages_pass_the_portals_checks(
    web: CheckedPage,
    administrator: User,
    teams: dict[str, Team],
    run_tasks: Callable[[], None],
):
    """Django's admin restyled where it fell short (static/frontdoor/admin.css): its site
    name was 3.65:1, its list filters' links 20 px targets, the navigation's toggle white
    on white; an account's memberships had selects with no name (a tabular inline)."""
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    for url in [
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{administrator.pk}/change/",
        "/admin/accounts/team/",
        "/admin/audit/auditevent/log/",
    ]:
        web.goto(url)  # axe-core, and the HTML checker
        assert_admin_contrast(web)
    SHOTS.mkdir(parents=True, exist_ok=True)
    web.goto("/admin/accounts/user/")
    web.page.screenshot(path=str(SHOTS / "accounts.png"), full_page=True)


def test_a_leaver_named_last_on_a_restriction_is_warned_of_and_managers_then_see_it(
    open_page: Callable[..., CheckedPage],
    administrator: User,
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
):
    """The leaver page warns that a restricted referral names no other manager; once the
    account is closed, another manager of the team sees it, is told why, and lifts it."""
    from frontdoor.accounts.models import Membership
    from frontdoor.cases import services as cases

    social_care = Team.objects.get(slug="social-care")
    mash_staff.memberships.update(role=Membership.Role.MANAGER)
    other = make_user("mash.boss@council.example.gov.uk", "Ola", "Boss", is_professional=True)
    Membership.objects.create(user=other, team=social_care, role=Membership.Role.MANAGER)
    case = send(professional, "social-care-referral").case
    cases.restrict(case, [], mash_staff)
    reference = case.submission.reference

    web = open_page()
    web.goto("/")
    sign_in(web, administrator.email, run_tasks)
    web.goto(f"/admin/accounts/user/{mash_staff.pk}/leaver/")
    heading(web, "Close the account of a leaver")
    expect(web.page.get_by_test_id("restricted-warning")).to_contain_text(
        "1 restricted referral names no other manager of the team"
    )
    screenshots(web, SHOTS, "leaver-restricted")
    press_by_keyboard(web, "Close the account")
    heading(web, "Closed account")
    expect(web.main).to_contain_text("1 restricted referral now seen by the team's managers")

    boss = open_page()
    boss.goto("/")
    sign_in(boss, other.email, run_tasks)
    boss.goto(f"/team/{reference}/")
    panel = boss.page.get_by_test_id("restricted")
    expect(panel).to_contain_text("Restricted: only the team's managers can see it")
    expect(panel).to_contain_text("the team's managers can also see it")
    screenshots(boss, SHOTS, "restricted-to-managers")
    boss.follow("Lift the restriction")
    heading(boss, "Lift the restriction")
    boss.submit("Lift the restriction")
    expect(boss.page.get_by_test_id("restricted")).to_have_count(0)
