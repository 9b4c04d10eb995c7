"""Referral forms in a real browser: start a form, fill in its sections, save and come
back, check the answers, send it, and see it under View Submitted Forms.

Every page visited is checked by axe-core and must log no console error or CSP
violation (see conftest.py). People sign in through the pages, with the emailed code.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, expect

from conftest import PASSWORD, last_code
from frontdoor.accounts.models import User
from frontdoor.referrals.models import Draft, Submission
from tests.browser.conftest import CheckedPage, assert_reflows
from tests.sending import send

pytestmark = pytest.mark.browser

SOCIAL_CARE = "Children's Social Care referral"
MASH_PHONE = "01632 960001"
EDT_PHONE = "01632 960002"
REFERENCE = re.compile(r"^FD-\d{4}-\d{6}$")


# --- Helpers ------------------------------------------------------------------------------


def heading(web: CheckedPage, text: str | re.Pattern[str]) -> None:
    expect(web.page.get_by_role("heading", level=1)).to_have_text(text)


def sign_in(
    web: CheckedPage, email: str, run_tasks: Callable[[], None], password: str = PASSWORD
) -> None:
    """From any signed-out page: sign in with password and emailed code, to the home page."""
    web.follow("Sign in", within=web.header)
    web.fill("Email", email)
    web.fill("Password", password)
    web.submit("Submit")
    heading(web, "Secure login - step 2")
    run_tasks()
    web.fill("Verification code", last_code(email))
    web.submit("Submit")
    expect(web.page.get_by_test_id("signed-in-as")).to_be_visible()


def start_form(web: CheckedPage, title: str) -> int:
    """From the home page: Start a form, the form's start page, Start now. The draft's id."""
    web.follow("Start a form", within=web.main)
    heading(web, "Start a form")
    web.follow(title, within=web.main)
    heading(web, title)
    web.submit("Start now")
    heading(web, title)
    match = re.search(r"/forms/draft/(\d+)/$", web.page.url)
    assert match, web.page.url
    return int(match.group(1))


def send_and_find(web: CheckedPage, title: str, owner: User, draft_id: int) -> str:
    """From check your answers: send, check the confirmation and the submitted list."""
    web.submit("Send Report to Local Authority")
    panel = web.page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Form sent")
    reference = panel.locator("strong").inner_text().strip()
    assert REFERENCE.match(reference), reference
    submission = Submission.objects.get(reference=reference)
    assert submission.owner == owner
    assert not Draft.objects.filter(pk=draft_id).exists()

    web.follow("View Submitted Forms", within=web.main)
    heading(web, "View Submitted Forms")
    row = web.main.locator("tbody tr").filter(has_text=reference)
    expect(row.locator("td")).to_have_text([reference, title, re.compile(r"\d{4}"), "Received"])
    return reference


def continue_draft(web: CheckedPage, about: str) -> None:
    """On Recover a form: Continue the one draft whose row says who it is about."""
    row = web.main.locator(".govuk-summary-card").filter(has_text=about)
    expect(row).to_have_count(1)
    web.follow(re.compile(r"^Continue .+ form\b.*, last saved \d"), within=row)


def task_list(web: CheckedPage) -> Locator:
    return web.page.locator(".govuk-task-list")


def status_of(web: CheckedPage, section: str) -> Locator:
    item = (
        task_list(web)
        .locator(".govuk-task-list__item")
        .filter(has=web.page.get_by_role("link", name=section, exact=True))
    )
    return item.locator(".govuk-task-list__status")


def date(web: CheckedPage, question: str, day: str, month: str, year: str) -> None:
    """GOV.UK's date input: the Day, Month and Year boxes in the question's fieldset."""
    group = web.page.get_by_role("group", name=question)
    group.get_by_label("Day", exact=True).fill(day)
    group.get_by_label("Month", exact=True).fill(month)
    group.get_by_label("Year", exact=True).fill(year)


def address(web: CheckedPage, house: str, street: str, town: str, postcode: str) -> None:
    web.fill("House number or name", house)
    web.fill("Street", street)
    web.fill("Town or city", town)
    web.fill("Postcode", postcode)


def error_summary(web: CheckedPage) -> Locator:
    summary = web.page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(web.page).to_have_title(re.compile(r"^Error: "))
    return summary


def save_and_continue(web: CheckedPage) -> None:
    web.submit("Save and continue")
    expect(web.page.locator(".govuk-error-summary")).to_have_count(0)


# --- Filling in the Social Care referral's sections ---------------------------------------


def your_details(web: CheckedPage) -> None:
    # Filled in from the account.
    expect(web.page.get_by_role("radio", name=re.compile(r"^Professional"))).to_be_checked()
    expect(web.field("First name")).to_have_value("Priya")
    expect(web.field("Email address")).to_have_value("dsl@school.example.org")
    expect(web.field("Postcode")).to_have_value("WR1 1AA")
    web.fill("Telephone number", "01905 765765")
    save_and_continue(web)


def your_work(web: CheckedPage) -> None:
    expect(web.field("Organisation or agency")).to_have_value("Riverside Primary School")
    expect(web.field("Role or job title")).to_have_value("Designated safeguarding lead")
    web.fill("Secure email address", "priya.patel@school.cjsm.net")
    save_and_continue(web)


def child(
    web: CheckedPage, first: str, last: str, born: tuple[str, str, str], postcode: str
) -> None:
    web.fill("First name", first)
    web.fill("Last name", last)
    web.choose("No", group="Is this an unborn baby?")
    date(web, "Date of birth", *born)
    web.choose("Female" if first == "Ava" else "Male", group="What is the child's gender?")
    web.field("Ethnic group").select_option(label="White: Irish")
    web.fill("School, nursery or setting", "Riverside Primary School")
    address(web, "12", "Fictional Road", "Worcester", postcode)
    save_and_continue(web)


def children(web: CheckedPage) -> None:
    heading(web, "Who is this about: child 1")
    child(web, "Ava", "Smith", ("4", "7", "2019"), "WR1 1AA")
    heading(web, "Who is this about")
    web.submit("Add another child")
    heading(web, "Who is this about: child 2")
    # The second child's postcode typed in lowercase, without its space.
    child(web, "Ben", "Smith", ("12", "11", "2016"), "wr52np")
    heading(web, "Who is this about")
    items = web.main.locator(".govuk-summary-list__key")
    expect(items).to_have_text(["Ava Smith", "Ben Smith"])
    web.follow("Continue", within=web.main)


def household(web: CheckedPage) -> None:
    heading(web, "Parents, carers and household: person 1")
    web.fill("First name", "Jo")
    web.fill("Last name", "Smith")
    web.fill("Relationship to the child", "Mother of both children")
    date(web, "Date of birth", "1", "2", "1990")
    web.choose("Yes", group="Do they have parental responsibility?")
    save_and_continue(web)
    heading(web, "Parents, carers and household")
    web.follow("Continue", within=web.main)


def others_involved(web: CheckedPage) -> None:
    heading(web, "Other adults and professionals involved: person 1")
    web.fill("Full name", "Dr Gareth Owen")
    web.fill("Agency or organisation", "Elm Street Surgery")
    web.fill("Role or relationship to the child", "GP")
    web.choose("No", group="Are they the lead professional?")
    save_and_continue(web)
    heading(web, "Other adults and professionals involved")
    web.follow("Continue", within=web.main)


def consent(web: CheckedPage) -> None:
    web.choose("Yes", group="Has the family been told about this referral?")
    web.choose("Yes", group="Has the family given consent to this referral?")
    web.fill("Who gave consent?", "Jo Smith, mother")
    save_and_continue(web)


def reason(web: CheckedPage) -> None:
    web.fill("Why are you making this referral?", "Ava has come to school hungry all week.")
    web.fill("What has the child said?", "There is no food at home.")
    save_and_continue(web)


def immediate_risk(web: CheckedPage) -> None:
    web.choose("No", group="Is the child at risk of significant harm now?")
    web.choose("No", group="Are you worried about the child's safety tonight?")
    save_and_continue(web)


def level_of_need(web: CheckedPage) -> None:
    web.page.get_by_role(
        "group", name="Which level of need in the threshold guidance fits the child best?"
    ).get_by_role("radio", name=re.compile(r"^Level 3: complex needs")).check()
    web.fill("Why have you chosen this level?", "Neglect over several weeks.")
    save_and_continue(web)


def next_steps(web: CheckedPage) -> None:
    web.fill("What have you or your agency done so far?", "Breakfast club place offered.")
    web.choose("No", group="Is there an Early Help assessment or plan for the child?")
    web.fill("What would you like to happen next?", "An assessment of the family's needs.")
    save_and_continue(web)


def nothing_to_attach(web: CheckedPage) -> None:
    heading(web, "Supporting documentation")
    expect(web.main).to_contain_text("No files added yet.")
    save_and_continue(web)


SOCIAL_CARE_SECTIONS: dict[str, Callable[[CheckedPage], None]] = {
    "Your details": your_details,
    "Immediate risk": immediate_risk,
    "Your work": your_work,
    "Who is this about": children,
    "Parents, carers and household": household,
    "Other adults and professionals involved": others_involved,
    "Consent": consent,
    "Reason for referral": reason,
    "Level of need": level_of_need,
    "What has been done and what next": next_steps,
    "Supporting documentation": nothing_to_attach,
}


# --- Tests ---------------------------------------------------------------------------------


def test_professional_fills_in_and_sends_a_social_care_referral(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    heading(web, "Welcome, Priya")
    draft_id = start_form(web, SOCIAL_CARE)

    # Every section the task list shows is filled in (with no documents to attach).
    expect(task_list(web).get_by_role("link")).to_have_text(list(SOCIAL_CARE_SECTIONS))
    expect(web.main).not_to_contain_text("Check your answers")
    titles = list(SOCIAL_CARE_SECTIONS)
    halfway = titles.index("Consent")
    for title in titles[:halfway]:
        web.follow(title, within=task_list(web))
        SOCIAL_CARE_SECTIONS[title](web)
        heading(web, SOCIAL_CARE)
        expect(status_of(web, title)).to_have_text("Completed")

    # Save and come back later, in the middle of the form, then sign out.
    web.follow("Consent", within=task_list(web))
    web.choose("Yes", group="Has the family been told about this referral?")
    web.submit("Save and come back later")
    heading(web, "Recover a form")
    expect(web.page.get_by_role("alert")).to_contain_text("Your answers have been saved.")
    web.submit("Sign out", within=web.header)
    heading(web, "You have signed out")

    sign_in(web, professional.email, run_tasks)
    web.follow("Recover a form", within=web.main)
    heading(web, "Recover a form")
    continue_draft(web, "Ava Smith and 1 other child")
    heading(web, SOCIAL_CARE)
    expect(status_of(web, "Consent")).to_contain_text("In progress")
    web.follow("Consent", within=task_list(web))
    # What was saved is still there.
    expect(
        web.page.get_by_role(
            "group", name="Has the family been told about this referral?"
        ).get_by_role("radio", name="Yes", exact=True)
    ).to_be_checked()
    for title in titles[halfway:]:
        if title != "Consent":
            web.follow(title, within=task_list(web))
        SOCIAL_CARE_SECTIONS[title](web)
        heading(web, SOCIAL_CARE)
        expect(status_of(web, title)).to_have_text("Completed")
    expect(web.main).to_contain_text(f"You have completed {len(titles)} of {len(titles)}")

    web.follow("Check your answers", within=web.main)
    heading(web, "Check your answers before sending your form")
    rows = web.main.locator(".govuk-summary-list__row")
    expect(rows.first).to_be_visible()
    # Every answer has its Change link.
    assert rows.count() == rows.locator(".govuk-summary-list__actions").count()
    for index in range(rows.count()):
        expect(rows.nth(index).get_by_role("link")).to_have_text(re.compile(r"^Change"))
    # Both children, the second one's postcode shown normalised.
    expect(web.main).to_contain_text("Ben")
    expect(web.main).to_contain_text("WR5 2NP")
    expect(web.main).not_to_contain_text("wr52np")
    expect(web.main).to_contain_text("4 July 2019")  # dates read as words

    web.follow("Change Why are you making this referral?", within=web.main)
    heading(web, "Reason for referral")
    field = web.field("Why are you making this referral?")
    expect(field).to_have_value("Ava has come to school hungry all week.")
    field.fill("Ava and Ben have come to school hungry all week.")
    save_and_continue(web)
    # "Change" leads back to check your answers, not to the task list.
    heading(web, "Check your answers before sending your form")
    expect(web.main).to_contain_text("Ava and Ben have come to school hungry all week.")

    send_and_find(web, SOCIAL_CARE, professional, draft_id)


def test_yes_to_significant_harm_now_says_who_to_phone(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    web.follow("Immediate risk", within=task_list(web))
    web.choose("Yes", group="Is the child at risk of significant harm now?")
    web.submit("Save and continue")

    heading(web, "Phone now")
    expect(web.main).to_contain_text(f"Multi-Agency Safeguarding Hub (office hours): {MASH_PHONE}")
    expect(web.main).to_contain_text(f"Emergency Duty Team (out of hours): {EDT_PHONE}")
    web.follow("Continue with the form", within=web.main)
    heading(web, SOCIAL_CARE)
    expect(status_of(web, "Immediate risk")).to_have_text("Completed")


def test_member_of_public_sends_feedback(
    web: CheckedPage, member_of_public: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, member_of_public.email, run_tasks)
    web.follow("Start a form", within=web.main)
    heading(web, "Start a form")
    forms = web.main.get_by_role("link")
    expect(forms.filter(has_text="Feedback")).to_have_count(1)
    expect(forms.filter(has_text=SOCIAL_CARE)).to_have_count(1)
    expect(forms.filter(has_text="LADO")).to_have_count(0)
    expect(web.main).not_to_contain_text("LADO referral")

    web.follow("Feedback", within=web.main)
    heading(web, "Feedback")
    web.submit("Start now")
    expect(task_list(web).get_by_role("link")).to_have_text(["About you", "Your feedback"])

    web.follow("About you", within=task_list(web))
    web.choose("No", group="Do you want to send this feedback without your name")
    expect(web.field("First name")).to_have_value("Sam")
    expect(web.field("Last name")).to_have_value("Jones")
    expect(web.field("Email address")).to_have_value("parent@example.net")
    web.fill("Telephone number", "07700 900982")
    save_and_continue(web)
    expect(status_of(web, "About you")).to_have_text("Completed")

    web.follow("Your feedback", within=task_list(web))
    web.field("Which service is your feedback about?").select_option(label="Early Help")
    web.choose("Compliment", group="What kind of feedback is it?")
    web.fill("What happened?", "The family worker helped us a lot.")
    date(web, "When did it happen?", "3", "2", "2025")
    web.choose("Yes", group="Would you like a reply?")
    web.choose("Email", group="How would you like us to reply?")
    save_and_continue(web)

    web.follow("Check your answers", within=web.main)
    expect(web.main).to_contain_text("The family worker helped us a lot.")
    expect(web.main).to_contain_text("Compliment")
    web.submit("Send Report to Local Authority")
    heading(web, "Form sent")
    reference = web.page.locator(".govuk-panel--confirmation strong").inner_text().strip()
    assert REFERENCE.match(reference), reference

    web.follow("View Submitted Forms", within=web.main)
    row = web.main.locator("tbody tr").filter(has_text=reference)
    expect(row).to_contain_text("Feedback")
    expect(row.locator("td").last).to_have_text("Received")


def test_empty_section_shows_error_summary_whose_links_focus_the_fields(
    web: CheckedPage, member_of_public: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, member_of_public.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    web.follow("Who is this about", within=task_list(web))
    heading(web, "Who is this about: child 1")

    web.submit("Save and continue")
    summary = error_summary(web)
    expect(summary).to_be_focused()
    for message, field in [
        ("Enter first name", web.field("First name")),
        ("Enter last name", web.field("Last name")),
        (
            "Answer the question \u201cIs this an unborn baby?\u201d",
            web.page.get_by_role("group", name="Is this an unborn baby?").get_by_role(
                "radio", name="Yes", exact=True
            ),
        ),
        # An address's link goes to its first box: the postcode to find it by.
        (
            "Find the address by its postcode, enter it yourself, or say why it is not known",
            web.field("Find by postcode"),
        ),
    ]:
        summary.get_by_role("link", name=message, exact=True).click()
        expect(field).to_be_focused()

    # Some answers typed, others not: the typed ones stay, the date's link goes to Day.
    web.fill("First name", "Ava")
    web.fill("Also known as", "Avie")
    web.choose("No", group="Is this an unborn baby?")
    web.fill("Street", "Fictional Road")
    web.submit("Save and continue")
    summary = error_summary(web)
    expect(summary.get_by_role("link", name="Enter first name")).to_have_count(0)
    date_of_birth = web.page.get_by_role("group", name="Date of birth")
    summary.get_by_role("link", name="Enter date of birth", exact=True).click()
    expect(date_of_birth.get_by_label("Day", exact=True)).to_be_focused()
    summary.get_by_role("link", name="Enter last name", exact=True).click()
    expect(web.field("Last name")).to_be_focused()
    expect(web.field("First name")).to_have_value("Ava")
    expect(web.field("Also known as")).to_have_value("Avie")
    expect(web.field("Street")).to_have_value("Fictional Road")
    expect(web.page.get_by_role("radio", name="No", exact=True).first).to_be_checked()
    # Each field shows its own message too.
    expect(date_of_birth.locator(".govuk-error-message")).to_have_text("Error: Enter date of birth")


def test_feedback_can_be_sent_without_javascript(
    open_page: Callable[..., CheckedPage],
    member_of_public: User,
    run_tasks: Callable[[], None],
) -> None:
    web = open_page(java_script_enabled=False)
    web.goto("/")
    expect(web.page.locator("body")).not_to_have_class(re.compile("js-enabled"))
    sign_in(web, member_of_public.email, run_tasks)
    start_form(web, "Feedback")

    web.follow("About you", within=task_list(web))
    web.choose("Yes", group="Do you want to send this feedback without your name")
    save_and_continue(web)
    web.follow("Your feedback", within=task_list(web))
    web.choose("Complaint", group="What kind of feedback is it?")
    web.fill("What happened?", "Nobody called me back.")
    save_and_continue(web)

    web.follow("Check your answers", within=web.main)
    web.submit("Send Report to Local Authority")
    heading(web, "Form sent")
    reference = web.page.locator(".govuk-panel--confirmation strong").inner_text().strip()
    assert REFERENCE.match(reference), reference
    assert Submission.objects.filter(reference=reference, owner=member_of_public).exists()


def test_view_submitted_forms_reflows_at_320px(
    web: CheckedPage, professional: User, run_tasks: Callable[[], None]
) -> None:
    # Found in a new-user trial: at 320px the table ran off the right edge, hiding the
    # Status column (where the council's response shows) with no way to scroll to it.
    send(professional, "social-care-referral", immediate_risk={"at_risk_now": "yes"})
    send(professional, "ehcna-request")
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    web.follow("View Submitted Forms", within=web.main)
    heading(web, "View Submitted Forms")
    assert_reflows(web.page)
    status = web.main.get_by_role("columnheader", name="Status")
    region = web.main.get_by_role("region", name="Your sent forms")
    region.focus()
    for _ in range(10):  # a keyboard user scrolls the table sideways, not the page
        web.page.keyboard.press("ArrowRight")
    expect(status).to_be_in_viewport(ratio=0.9)
