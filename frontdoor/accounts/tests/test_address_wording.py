"""The account's address: the page says whether it is a home or a work address."""

import re

import pytest

from conftest import sign_in

pytestmark = pytest.mark.django_db

HINT = (
    "If you are using this account in a professional capacity, enter your work address. "
    "Otherwise, enter your home address."
)


def address_fieldset(html: str) -> str:
    match = re.search(
        r'<fieldset class="govuk-fieldset"[^>]*aria-describedby="address-hint"'
        r".*?</fieldset>",
        html,
        re.S,
    )
    assert match, "the address fieldset is not described by its hint"
    return match.group(0)


def test_registration_says_which_address_to_give(client):
    html = client.get("/account/register/").content.decode()

    fieldset = address_fieldset(html)
    assert '<h2 class="govuk-fieldset__heading">Your address</h2>' in fieldset
    assert f'<div id="address-hint" class="govuk-hint">{HINT}</div>' in fieldset


def test_a_professional_changing_details_is_asked_for_a_work_address(
    client, professional, run_tasks
):
    sign_in(client, professional, run_tasks)

    fieldset = address_fieldset(client.get("/account/details/change/").content.decode())

    assert "Your work address" in fieldset
    assert "home address" not in fieldset


def test_a_member_of_the_public_changing_details_is_asked_for_a_home_address(
    client, member_of_public, run_tasks
):
    sign_in(client, member_of_public, run_tasks)

    fieldset = address_fieldset(client.get("/account/details/change/").content.decode())

    assert "Your home address" in fieldset
    assert "work address" not in fieldset
