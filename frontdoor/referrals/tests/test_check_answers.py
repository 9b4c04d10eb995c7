"""Check your answers shows an answer that is not accepted yet (a date that is not a real
date) as it was typed, flagged with why, with its Change link; its section is marked
incomplete."""

import html
import re

import pytest
from django.test import Client

from frontdoor.referrals.tests.test_pages import CHILD, start

pytestmark = pytest.mark.django_db


def row_for(page: str, label: str) -> str:
    rows = re.findall(r'<div class="govuk-summary-list__row">(.*?)</div>', page, re.S)
    found = [row for row in rows if f">{label}</dt>" in row]
    assert len(found) == 1, (label, found)
    return found[0]


def child_check_page(client: Client, **dates: str) -> tuple[int, str]:
    draft = start(client, "social-care-referral")
    client.post(f"/forms/draft/{draft}/children/0/", {"revision": "0", **CHILD, **dates})
    return draft, client.get(f"/forms/draft/{draft}/check/").content.decode()


def test_a_date_that_is_not_real_is_shown_as_typed_and_flagged(professional_client):
    draft, page = child_check_page(
        professional_client, date_of_birth_0="31", date_of_birth_1="2", date_of_birth_2="2019"
    )
    row = row_for(page, "Date of birth")
    assert "31 / 2 / 2019" in row
    assert "31/2/2019" not in row
    assert '<span class="govuk-visually-hidden">Needs an answer: </span>' in row
    assert "Date of birth must be a real date" in row
    assert f'href="/forms/draft/{draft}/children/0/?return=check#' in row  # Change
    assert ">Change<" in row
    # The section is flagged too, and listed among those to complete before sending.
    section = page.split('<h2 class="govuk-heading-m">Who is this about</h2>')[1][:200]
    assert "Incomplete" in section
    assert "Send Report to Local Authority" not in page


def test_text_typed_into_a_date_is_shown_as_typed_with_spaces(professional_client):
    _, page = child_check_page(
        professional_client,
        date_of_birth_0="Sample when 0",
        date_of_birth_1="Sample when 1",
        date_of_birth_2="Sample when 2",
    )
    row = html.unescape(row_for(page, "Date of birth"))
    assert "Sample when 0 / Sample when 1 / Sample when 2" in row
    assert "Date of birth must be a real date" in row


def test_a_date_with_parts_missing_shows_the_parts_given(professional_client):
    _, page = child_check_page(
        professional_client, date_of_birth_0="31", date_of_birth_1="", date_of_birth_2="2019"
    )
    row = row_for(page, "Date of birth")
    assert "Day 31, Year 2019" in row
    assert "Date of birth must include a month" in row


def test_valid_answers_are_not_flagged(professional_client):
    _, page = child_check_page(professional_client)
    row = row_for(page, "Date of birth")
    assert "4 July 2019" in row
    assert "Needs an answer" not in page
    section = page.split('<h2 class="govuk-heading-m">Who is this about</h2>')[1][:200]
    assert "Incomplete" not in section
