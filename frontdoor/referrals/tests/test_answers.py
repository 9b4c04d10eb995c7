import datetime

import pytest
import yaml
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from frontdoor.referrals.answers import nhs_number_is_valid, section_form
from frontdoor.referrals.definitions import ROLES, definition_from_source

SOURCE = yaml.safe_load(
    """
slug: test-form
version: 1
title: Test form
short_name: Test
team: social-care
who: [professional, parent_carer, member_of_public, young_person]
sections:
  - slug: child
    title: The child
    questions:
      - {id: completing_as, type: completing_as, label: I am completing this form as a,
         required: true}
      - {id: first_name, type: text, label: First name, required: true, max_length: 20,
         error: "Enter the child's first name"}
      - {id: is_unborn, type: yes_no, label: "Is this an unborn baby?", required: true}
      - {id: date_of_birth, type: date, label: Date of birth, required: true, past_only: true,
         show_if: {question: is_unborn, equals: "no"}}
      - {id: nhs_number, type: nhs_number, label: NHS number}
      - {id: needs, type: checkboxes, label: "What does the family need help with?",
         options: [Housing, Parenting, Finances]}
      - {id: story, type: long_text, label: "What has happened?", max_length: 30}
"""
)
SECTION = definition_from_source("test-form.yaml", SOURCE).section("child")


def form_for(data: dict, professional: bool = True):
    form_class = section_form(SECTION, ROLES, professional)
    return form_class(
        MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()})
    )


VALID = {
    "completing_as": "professional",
    "first_name": "Ava",
    "is_unborn": "no",
    "date_of_birth_0": "4",
    "date_of_birth_1": "7",
    "date_of_birth_2": "2019",
}


def test_a_complete_section_is_valid_and_gives_typed_values():
    form = form_for({**VALID, "nhs_number": "943 476 5919", "needs": ["housing", "finances"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2019, 7, 4)
    assert form.cleaned_data["needs"] == ["housing", "finances"]


def test_missing_required_answers_get_gov_uk_messages():
    form = form_for({})
    assert not form.is_valid()
    assert form.errors["first_name"] == ["Enter the child's first name"]
    assert form.errors["is_unborn"] == ["Answer the question \u201cIs this an unborn baby?\u201d"]
    assert "date_of_birth" not in form.errors  # not asked until "no" is answered


def test_a_conditional_question_is_required_only_when_it_is_asked():
    form = form_for({**VALID, "date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": ""})
    assert form.errors["date_of_birth"] == ["Enter date of birth"]

    unborn = form_for({**VALID, "is_unborn": "yes", "date_of_birth_2": "20"})
    assert unborn.is_valid(), unborn.errors
    assert "date_of_birth" not in unborn.cleaned_data  # a stale answer to a question not asked


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("31", "2", "2020"), "Date of birth must be a real date"),
        (("1", "", "2020"), "Date of birth must include a month"),
        (("1", "1", "20"), "Date of birth must be a real date"),
        (("9" * 20, "1", "2020"), "Date of birth must be a real date"),
        (
            ("1", "1", str(timezone.localdate().year + 1)),
            "Date of birth must be today or in the past",
        ),
    ],
)
def test_dates_are_checked(parts, message):
    data = {
        **VALID,
        "date_of_birth_0": parts[0],
        "date_of_birth_1": parts[1],
        "date_of_birth_2": parts[2],
    }
    assert form_for(data).errors["date_of_birth"] == [message]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("943 476 5919", True),
        ("9434765919", True),
        ("943 476 5918", False),
        ("485 777 3456", False),
        ("12345", False),
        ("abcdefghij", False),
    ],
)
def test_nhs_numbers_are_checked_with_their_check_digit(number, valid):
    assert nhs_number_is_valid(number) is valid
    form = form_for({**VALID, "nhs_number": number})
    assert ("nhs_number" in form.errors) is not valid


def test_long_answers_over_the_limit_are_refused_with_a_clear_message():
    form = form_for({**VALID, "story": "x" * 31})
    assert form.errors["story"] == ["What has happened? must be 30 characters or fewer"]


def test_only_professionals_are_offered_professional():
    professional = form_for({}, professional=True)
    public = form_for({}, professional=False)
    assert "professional" in dict(professional.fields["completing_as"].choices)
    assert "professional" not in dict(public.fields["completing_as"].choices)
    refused = form_for({**VALID, "completing_as": "professional"}, professional=False)
    assert "completing_as" in refused.errors


def test_what_was_typed_is_kept_even_when_invalid():
    form = form_for(
        {
            "first_name": "  Ava  ",
            "date_of_birth_0": "31",
            "date_of_birth_1": "2",
            "date_of_birth_2": "2020",
            "is_unborn": "no",
            "story": "x" * 40,
        }
    )
    assert not form.is_valid()
    typed = form.typed_answers()
    assert typed["first_name"] == "Ava"
    assert typed["date_of_birth"] == ["31", "2", "2020"]
    assert typed["story"] == "x" * 40


@pytest.mark.django_db
def test_a_section_renders_gov_uk_markup():
    form = form_for({**VALID, "date_of_birth_0": ""})
    form.is_valid()
    html = render_to_string("govuk/error_summary.html", {"form": form}) + str(form)
    assert 'class="govuk-date-input"' in html
    assert 'href="#id_date_of_birth_0"' in html
    assert 'class="govuk-checkboxes"' in html
    assert html.count('id="id_date_of_birth_0"') == 1
    # Required questions carry the red star, conditional ones too (where they are asked).
    assert html.count('class="fd-required"') == 4


ADDRESS_SOURCE = {
    **SOURCE,
    "sections": [
        {
            "slug": "where",
            "title": "Where",
            "questions": [{"id": "address", "type": "address", "label": "Address"}],
        }
    ],
}


@pytest.mark.parametrize(("area", "valid"), [(45, True), (46, False)])
def test_an_address_may_be_512_characters_but_not_513(area, valid):
    section = definition_from_source("test-form.yaml", ADDRESS_SOURCE).section("where")
    parts = ["P" * 150, "1", "S" * 150, "A" * area, "T" * 150, "", "WR1 1AA", ""]
    form = section_form(section, ROLES, True)(
        MultiValueDict({f"address_{i}": [part] for i, part in enumerate(parts)})
    )
    # property, "1 street", area, town, postcode joined with ", ": 512 or 513 characters.
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["address"] == ["Address must be 512 characters or fewer"]


def test_completing_as_offers_only_the_roles_the_form_is_for():
    form = section_form(SECTION, ("professional", "parent_carer", "young_person"), False)()
    offered = dict(form.fields["completing_as"].choices)
    assert list(offered) == ["parent_carer", "young_person"]


def test_parts_of_a_date_not_sent_at_all_are_kept_empty_not_as_none():
    typed = form_for({"first_name": "Ava"}).typed_answers()
    assert typed["date_of_birth"] == ["", "", ""]
