"""Accounts in a real browser: register, verify, sign in, change details, sign out.

Every page visited is checked by axe-core and must log no console error or CSP
violation (see conftest.py).
"""

import re
from collections.abc import Callable

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Locator, expect
from pytest_django.fixtures import Settings

from conftest import PASSWORD, last_code
from frontdoor.accounts import middleware
from frontdoor.accounts.models import User
from tests.browser.conftest import CheckedPage

pytestmark = pytest.mark.browser

NEW_EMAIL = "new.teacher@school.example.org"
PROFESSIONAL_GROUP = "Is this account being used in a professional capacity?"


def signed_in_as(name: str) -> re.Pattern[str]:
    # The header shows the name, after "Signed in as" for screen readers.
    return re.compile(rf"^\s*Signed in as {re.escape(name)}\s*$")


def heading(web: CheckedPage, text: str) -> None:
    expect(web.page.get_by_role("heading", level=1)).to_have_text(text)


def error_summary(web: CheckedPage) -> Locator:
    summary = web.page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(web.page).to_have_title(re.compile(r"^Error: "))
    return summary


def fill_step1(web: CheckedPage, professional: bool = True) -> None:
    web.fill("First name", "Robin")
    web.fill("Surname", "Ashworth")
    organisation = web.field("Organisation")
    if web.javascript:
        # GOV.UK's conditional reveal: shown only once Yes is chosen.
        expect(organisation).to_be_hidden()
    web.choose("Yes" if professional else "No", group=PROFESSIONAL_GROUP)
    if professional:
        expect(organisation).to_be_visible()
        organisation.fill("Riverside Primary School")
        web.fill("Job title", "Teacher")
    web.fill("Telephone", "01905 765765")
    web.fill("Street", "Fictional Road")
    web.fill("Town/City", "Worcester")
    web.fill("Postcode", "wr52np")


def fill_step2(web: CheckedPage, email: str, password: str = PASSWORD) -> None:
    web.fill("Email address", email)
    web.fill("Password", password)
    web.fill("Confirm password", password)


def enter_code(web: CheckedPage, code: str) -> None:
    web.fill("Verification code", code)
    web.submit("Submit")


def sign_in(
    web: CheckedPage, email: str, run_tasks: Callable[[], None], password: str = PASSWORD
) -> None:
    """From any signed-out page: sign in with password and emailed code, to the home page."""
    web.follow("Sign in", within=web.header)
    heading(web, "Secure login - step 1")
    web.fill("Email", email)
    web.fill("Password", password)
    web.submit("Submit")
    heading(web, "Secure login - step 2")
    run_tasks()
    enter_code(web, last_code(email))
    expect(web.page.get_by_test_id("signed-in-as")).to_be_visible()


def test_register_verify_sign_in_edit_details_and_sign_out(
    web: CheckedPage, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    web.follow("Sign in", within=web.header)
    web.follow("Register for new account")
    heading(web, "Register a new account - step 1")
    fill_step1(web)
    web.submit("Next")

    heading(web, "Register a new account - step 2")
    fill_step2(web, NEW_EMAIL)
    web.submit("Next")

    heading(web, "Verify your email address")
    expect(web.main).to_contain_text(NEW_EMAIL)
    run_tasks()
    enter_code(web, last_code(NEW_EMAIL))
    heading(web, "Your account has been created")

    web.follow("Sign in", within=web.main)
    heading(web, "Secure login - step 1")
    web.fill("Email", NEW_EMAIL)
    web.fill("Password", PASSWORD)
    web.submit("Submit")
    heading(web, "Secure login - step 2")
    run_tasks()
    enter_code(web, last_code(NEW_EMAIL))

    expect(web.page.get_by_test_id("signed-in-as")).to_have_text(signed_in_as("Robin Ashworth"))
    heading(web, "Welcome, Robin")

    web.follow("Your details", within=web.header)
    heading(web, "Your details")
    details = web.page.locator(".govuk-summary-list")
    expect(details).to_contain_text("Professional")
    expect(details).to_contain_text("Riverside Primary School")
    expect(details).to_contain_text("WR5 2NP")

    web.follow("Change telephone")
    heading(web, "Change your details")
    expect(web.field("Postcode")).to_have_value("WR5 2NP")
    web.fill("Telephone", "07700 900982")
    web.fill("Town/City", "Malvern")
    web.submit("Save changes")

    heading(web, "Your details")
    banner = web.page.get_by_role("alert")
    expect(banner).to_contain_text("Your details have been updated.")
    expect(details).to_contain_text("07700 900982")
    expect(details).to_contain_text("Malvern")
    user = User.objects.get(email=NEW_EMAIL)
    assert (user.telephone, user.address.town) == ("07700 900982", "Malvern")

    web.submit("Sign out")
    heading(web, "You have signed out")
    expect(web.page.get_by_test_id("signed-in-as")).to_have_count(0)


def test_empty_step1_shows_error_summary_whose_links_focus_the_fields(web: CheckedPage) -> None:
    web.goto("/account/register/")
    web.submit("Next")

    summary = error_summary(web)
    # GOV.UK Frontend moves focus to the summary, so a screen reader reads it first.
    expect(summary).to_be_focused()
    for message, field in [
        ("Enter your first name", web.field("First name")),
        (
            "Select yes if this account is being used in a professional capacity",
            web.page.get_by_role("radio", name="Yes", exact=True),
        ),
        ("Enter the postcode", web.field("Postcode")),
    ]:
        summary.get_by_role("link", name=message).click()
        expect(field).to_be_focused()
    # Each field shows its own message too.
    expect(web.main.locator(".govuk-error-message")).to_contain_text(
        ["Enter your first name", "Enter your surname"]
    )


def test_professional_cannot_register_with_a_personal_email(web: CheckedPage) -> None:
    web.goto("/account/register/")
    fill_step1(web, professional=True)
    web.submit("Next")
    fill_step2(web, "robin.ashworth@gmail.com")
    web.submit("Next")

    summary = error_summary(web)
    expect(summary.get_by_role("link")).to_have_text(
        re.compile(r"^Enter your work email address\. .* such as gmail\.com")
    )
    expect(web.field("Email address")).to_have_attribute(
        "aria-describedby", re.compile(r"id_email-error")
    )
    assert not User.objects.exists()


def test_weak_password_is_refused(web: CheckedPage) -> None:
    web.goto("/account/register/")
    fill_step1(web, professional=False)
    web.submit("Next")
    fill_step2(web, "robin@example.net", "Password12345")
    web.submit("Next")

    summary = error_summary(web)
    link = summary.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "#id_new_password")
    expect(web.page.locator("#id_new_password-error")).to_be_visible()
    # The typed passwords are never sent back to the browser.
    expect(web.field("Password")).to_have_value("")
    assert not User.objects.exists()


def test_back_from_step2_keeps_step1_answers(web: CheckedPage) -> None:
    web.goto("/account/register/")
    fill_step1(web, professional=True)
    web.submit("Next")
    heading(web, "Register a new account - step 2")

    web.follow("Back")
    heading(web, "Register a new account - step 1")
    expect(web.field("First name")).to_have_value("Robin")
    expect(web.field("Surname")).to_have_value("Ashworth")
    expect(web.page.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    # Yes is chosen, so its questions are shown with their answers.
    expect(web.field("Organisation")).to_be_visible()
    expect(web.field("Organisation")).to_have_value("Riverside Primary School")
    expect(web.field("Job title")).to_have_value("Teacher")
    expect(web.field("Telephone")).to_have_value("01905 765765")
    expect(web.field("Postcode")).to_have_value("WR5 2NP")


def test_wrong_password_and_wrong_code_are_refused(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/account/sign-in/")
    web.fill("Email", professional.email)
    web.fill("Password", "Not-The-Password-9")
    web.submit("Submit")
    expect(error_summary(web)).to_contain_text("Enter a correct email address and password")
    heading(web, "Secure login - step 1")

    web.fill("Password", PASSWORD)
    web.submit("Submit")
    heading(web, "Secure login - step 2")
    run_tasks()
    code = last_code(professional.email)
    enter_code(web, f"{(int(code) + 1) % 1_000_000:06d}")
    expect(error_summary(web)).to_contain_text("The code is not correct")
    expect(web.page.get_by_test_id("signed-in-as")).to_have_count(0)

    enter_code(web, code)
    expect(web.page.get_by_test_id("signed-in-as")).to_have_text(signed_in_as("Priya Patel"))


def test_journey_works_without_javascript(
    open_page: Callable[..., CheckedPage],
    professional: User,
    run_tasks: Callable[[], None],
) -> None:
    web = open_page(java_script_enabled=False)
    web.goto("/account/register/")
    # Without JavaScript the professional questions are always shown.
    expect(web.field("Organisation")).to_be_visible()
    expect(web.page.locator("body")).not_to_have_class(re.compile("js-enabled"))

    sign_in(web, professional.email, run_tasks)
    heading(web, "Welcome, Priya")
    web.follow("Your details", within=web.header)
    web.follow("Change telephone")
    web.fill("Telephone", "07700 900123")
    web.submit("Save changes")
    expect(web.page.get_by_role("alert")).to_contain_text("Your details have been updated.")
    expect(web.main).to_contain_text("07700 900123")

    web.submit("Sign out")
    heading(web, "You have signed out")


def test_session_timeout_warning(
    web: CheckedPage,
    professional: User,
    run_tasks: Callable[[], None],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The live server reads settings at each request. With the warning as long as the idle
    # time, the page's first check (after 1 second) finds the session inside the warning.
    settings.SESSION_IDLE_MINUTES = 2
    settings.SESSION_WARNING_MINUTES = 2
    # Record every request's activity, not once per 30 seconds, so "Stay signed in" shows.
    monkeypatch.setattr(middleware, "WRITE_EVERY_SECONDS", 0)

    web.goto("/")
    sign_in(web, professional.email, run_tasks)

    dialog = web.page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_visible(timeout=5_000)
    expect(dialog).to_contain_text("we will sign you out in 2 minutes")
    web.check()  # axe-core with the dialog open

    def last_activity() -> float:
        key = next(
            c["value"]
            for c in web.page.context.cookies()
            if c["name"] == settings.SESSION_COOKIE_NAME
        )
        return Session.objects.get(session_key=key).get_decoded()[middleware.LAST_ACTIVITY]

    before = last_activity()
    # Here the idle time equals the warning, so even a fresh session is inside the warning;
    # lengthen it, as in real use where the warning is a few minutes of an hour.
    settings.SESSION_IDLE_MINUTES = 60
    # "Stay signed in" posts in the background, closes the dialog and asks how long is left.
    with web.page.expect_response(re.compile(r"/account/session/$")):
        dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert last_activity() > before
    # Still signed in, on the same page: no navigation happened.
    expect(web.page.get_by_test_id("signed-in-as")).to_have_text(signed_in_as("Priya Patel"))
    web.check()
