"""The Early Help, LADO and EHCNA forms filled in end to end in a real browser.

Rather than a script per form, `FormFiller` reads the form's definition (the YAML file)
and answers every question the page asks, as a person would, through the labels: a
sensible valid answer for each type, conditional questions only when the answers chosen
make them apply. Every page is checked by axe-core (see conftest.py).
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Locator, expect

from frontdoor.accounts.models import User
from frontdoor.referrals import registry
from frontdoor.referrals.definitions import Definition, Question, Section
from frontdoor.referrals.models import Submission
from tests.browser.conftest import CheckedPage
from tests.browser.test_referral_forms import (
    heading,
    save_and_continue,
    send_and_find,
    sign_in,
    start_form,
    status_of,
    task_list,
)

pytestmark = pytest.mark.browser

TEXT = "Details given here."  # fits every text question's limit (the shortest is 20)
LONG_TEXT = "A short sentence about this, written for the test."
EMAIL = "someone@example.org"
TELEPHONE = "01905 765765"
NHS_NUMBER = "943 476 5919"
DATE = ("1", "2", "2015")
# Typed by hand: in the council's area, so no "outside our area" page.
MANUAL_ADDRESS = {
    "House number or name": "12",
    "Street": "Fictional Road",
    "Town or city": "Worcester",
    "Postcode": "WR1 1AA",
}
PROFESSIONAL_ROLE = re.compile(r"^Professional")


@pytest.fixture
def gazetteer(transactional_db: None) -> None:
    """The sample gazetteer, for "Find address" (WR5 2NP: County Hall)."""
    call_command("load_gazetteer", "--sample", verbosity=0)


def named(label: str) -> re.Pattern[str]:
    """A field's or group's accessible name: its label, and a star if it is required."""
    return re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$")


def asked(question: Question, answers: dict[str, Any]) -> bool:
    if question.show_if is None:
        return True
    answer = answers.get(question.show_if.question)
    chosen = answer if isinstance(answer, list) else [answer]
    return any(str(a) in question.show_if.values for a in chosen if a)


def shown_sections(definition: Definition, role: str) -> list[Section]:
    """The sections a person in `role` is asked (supporting documents: professionals)."""
    return [s for s in definition.sections if role in s.who]


class FormFiller:
    """Answers a form's sections from its definition, through the page's labels."""

    def __init__(self, web: CheckedPage, definition: Definition, role: str) -> None:
        self.web = web
        self.definition = definition
        self.role = role
        self.first_names = iter(["Ava", "Ben", "Jo", "Chris", "Dana", "Eli", "Fran"])
        self.found_address = False  # one address of the form comes from "Find address"
        self.names: list[str] = []

    # --- Sections --------------------------------------------------------------------

    def fill_form(self, second_child: bool = False) -> None:
        """From the task list: every section, then the task list shows them all Completed."""
        sections = shown_sections(self.definition, self.role)
        titles = [s.title for s in sections]
        expect(task_list(self.web).get_by_role("link")).to_have_text(titles)
        expect(self.web.main.get_by_role("link", name="Check your answers")).to_have_count(0)
        for section in sections:
            self.web.follow(section.title, within=task_list(self.web))
            if section.repeat is None:
                heading(self.web, section.title)
                self.fill_section(section)
                save_and_continue(self.web)
            else:
                self.fill_repeating(section, second_child and section.slug == "children")
            heading(self.web, self.definition.title)
            expect(status_of(self.web, section.title)).to_have_text("Completed")
        for title in titles:
            expect(status_of(self.web, title)).to_have_text("Completed")
        expect(self.web.main).to_contain_text(f"You have completed {len(titles)} of {len(titles)}")

    def fill_repeating(self, section: Section, second: bool) -> None:
        assert section.repeat is not None
        item = section.repeat.item
        heading(self.web, f"{section.title}: {item} 1")
        self.fill_section(section)
        save_and_continue(self.web)
        heading(self.web, section.title)
        titles = [self.names[-1]]
        if second:
            self.web.submit(f"Add another {item}")
            heading(self.web, f"{section.title}: {item} 2")
            self.fill_section(section, same_as=f"Same address as the first {item}")
            save_and_continue(self.web)
            heading(self.web, section.title)
            titles.append(self.names[-1])
        rows = self.web.main.locator(".govuk-summary-list__row")
        expect(rows.locator(".govuk-summary-list__key")).to_have_text(titles)
        expect(rows.locator(".govuk-summary-list__value")).to_have_text(["Completed"] * len(titles))
        self.web.follow("Continue", within=self.web.main)

    def fill_section(self, section: Section, same_as: str = "") -> None:
        """Answer each question the page asks, given the answers chosen before it."""
        answers: dict[str, Any] = {}
        first_name = ""
        for question in section.questions:
            if question.type == "documents" or not asked(question, answers):
                continue
            answers[question.id] = self.answer(question, same_as)
            if question.id == "first_name":
                first_name = answers[question.id]
            elif question.id == "last_name":
                self.names.append(f"{first_name} {answers[question.id]}")
            elif question.id == "name":  # one box for the whole name
                self.names.append(answers[question.id])

    # --- Questions -------------------------------------------------------------------

    def group(self, question: Question) -> Locator:
        return self.web.page.get_by_role("group", name=named(question.label))

    def answer(self, question: Question, same_as: str) -> Any:
        kind = question.type
        if kind in ("text", "long_text", "email", "telephone", "nhs_number"):
            return self.type_text(question)
        if kind == "date":
            group = self.group(question)
            for box, value in zip(("Day", "Month", "Year"), DATE, strict=True):
                group.get_by_label(box, exact=True).fill(value)
            return list(DATE)
        if kind == "yes_no":
            self.group(question).get_by_role("radio", name="No", exact=True).check()
            return "no"
        if kind == "radios":
            first = question.options[0]
            self.group(question).get_by_role("radio", name=first.label, exact=True).check()
            return first.value
        if kind == "checkboxes":
            first = question.options[0]
            self.group(question).get_by_role("checkbox", name=first.label, exact=True).check()
            return [first.value]
        if kind == "select":
            first = question.options[0]
            self.web.field(question.label).select_option(label=first.label)
            return first.value
        if kind == "completing_as":
            return self.completing_as(question)
        if kind == "address":
            return self.address(question, same_as)
        raise AssertionError(f"No answer for a {kind} question ({question.id})")

    def type_text(self, question: Question) -> str:
        field = self.web.field(question.label)
        if question.prefill and field.input_value():
            return field.input_value()  # filled in from the account: kept
        value = {
            "long_text": LONG_TEXT,
            "email": EMAIL,
            "telephone": TELEPHONE,
            "nhs_number": NHS_NUMBER,
        }.get(question.type, TEXT)
        if question.id == "first_name":
            value = next(self.first_names)
        elif question.id == "last_name":
            value = "Smith"
        assert question.max_length is None or len(value) <= question.max_length, question.id
        field.fill(value)
        return value

    def completing_as(self, question: Question) -> str:
        radios = self.group(question).get_by_role("radio")
        if self.role == "professional":
            # Preset from the account: left as it is.
            expect(
                self.group(question).get_by_role("radio", name=PROFESSIONAL_ROLE)
            ).to_be_checked()
            return "professional"
        # Not offered to someone without a professional account, and nothing preset.
        expect(radios).not_to_have_count(0)
        expect(self.group(question).get_by_role("radio", name=PROFESSIONAL_ROLE)).to_have_count(0)
        for index in range(radios.count()):
            expect(radios.nth(index)).not_to_be_checked()
        label = {"parent_carer": "Parent or carer", "young_person": "Young person"}[self.role]
        self.group(question).get_by_role("radio", name=label, exact=True).check()
        return self.role

    def address(self, question: Question, same_as: str) -> str:
        group = self.group(question)
        parts = {label: group.get_by_label(label, exact=True) for label in MANUAL_ADDRESS}
        if question.prefill and parts["Postcode"].input_value():
            return "account"  # the account's address: kept
        if same_as:
            # "Same address as the first child": the first one's address (found above).
            self.web.submit(same_as, within=group)
            expect(parts["House number or name"]).to_have_value("County Hall")
            expect(parts["Street"]).to_have_value("Spetchley Road")
            expect(parts["Postcode"]).to_have_value("WR5 2NP")
            return "same as the first"
        if not self.found_address:
            self.found_address = True
            group.get_by_label("Find by postcode", exact=True).fill("WR5 2NP")
            self.web.submit("Find address", within=group)
            choice = group.get_by_label("Please select an address or enter the details manually.")
            county_hall = choice.locator("option", has_text="County Hall").inner_text()
            choice.select_option(label=county_hall)
            self.web.submit("Use this address", within=group)
            expect(group.locator(".govuk-inset-text")).to_contain_text("County Hall")
            expect(parts["House number or name"]).to_have_value("County Hall")
            expect(parts["Street"]).to_have_value("Spetchley Road")
            expect(parts["Town or city"]).to_have_value("Worcester")
            expect(parts["Postcode"]).to_have_value("WR5 2NP")
            return "found"
        for label, value in MANUAL_ADDRESS.items():
            parts[label].fill(value)
        return "typed"


def check_and_send(
    web: CheckedPage, definition: Definition, filler: FormFiller, owner: User
) -> str:
    """From the completed task list: check the answers, send, and find it in the list."""
    match = re.search(r"/forms/draft/(\d+)/$", web.page.url)
    assert match, web.page.url
    draft_id = int(match[1])
    web.follow("Check your answers", within=web.main)
    heading(web, "Check your answers before sending your form")
    rows = web.main.locator(".govuk-summary-list__row")
    expect(rows.first).to_be_visible()
    assert rows.count() == rows.locator(".govuk-summary-list__actions").count()
    for name in filler.names:
        for part in name.split():
            expect(web.main).to_contain_text(part)
    expect(web.main).to_contain_text("Spetchley Road")
    expect(web.main).to_contain_text("1 February 2015")  # dates read as words
    expect(web.main.locator(".govuk-inset-text")).to_have_count(0)  # nothing left to do

    return send_and_find(web, definition.title, owner, draft_id)


# --- Tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "second_child"),
    [
        ("early-help-request", True),
        ("lado-referral", False),
        ("ehcna-request", False),
        ("social-care-referral", True),
    ],
)
def test_professional_fills_in_and_sends_the_form(
    web: CheckedPage,
    professional: User,
    gazetteer: None,
    run_tasks: Callable[[], None],
    slug: str,
    second_child: bool,
) -> None:
    definition = registry.get(slug)
    assert definition is not None
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, definition.title)

    filler = FormFiller(web, definition, "professional")
    filler.fill_form(second_child=second_child)
    if second_child:
        assert filler.names[1:3] == ["Ava Smith", "Ben Smith"]  # after the referrer
    check_and_send(web, definition, filler, professional)


def test_parent_sends_an_ehcna_request_and_cannot_see_lado(
    web: CheckedPage,
    member_of_public: User,
    gazetteer: None,
    run_tasks: Callable[[], None],
) -> None:
    ehcna = registry.get("ehcna-request")
    lado = registry.get("lado-referral")
    assert ehcna is not None
    assert lado is not None
    assert "parent_carer" in ehcna.who
    assert lado.who == ("professional",)
    web.goto("/")
    sign_in(web, member_of_public.email, run_tasks)
    web.follow("Start a form", within=web.main)
    forms = web.main.get_by_role("link")
    expect(forms.filter(has_text=ehcna.title)).to_have_count(1)
    expect(forms.filter(has_text=lado.title)).to_have_count(0)
    expect(web.main).not_to_contain_text("LADO")

    # Its start page (a public address) offers no way in.
    web.goto(f"/forms/{lado.slug}/")
    heading(web, lado.title)
    expect(web.main).to_contain_text("This form is for professionals.")
    expect(web.main.get_by_role("button", name="Start now")).to_have_count(0)

    web.goto("/")
    start_form(web, ehcna.title)
    filler = FormFiller(web, ehcna, "parent_carer")
    filler.fill_form()
    reference = check_and_send(web, ehcna, filler, member_of_public)
    answers = Submission.objects.get(reference=reference).answers
    assert answers["your-details"]["completing_as"] == "parent_carer"


def test_a_full_social_care_referral_is_sent_with_javascript_off(
    open_page: Callable[..., CheckedPage],
    professional: User,
    gazetteer: None,
    run_tasks: Callable[[], None],
) -> None:
    web = open_page(java_script_enabled=False)
    definition = registry.get("social-care-referral")
    assert definition is not None
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, definition.title)

    filler = FormFiller(web, definition, "professional")
    filler.fill_form(second_child=True)
    check_and_send(web, definition, filler, professional)
