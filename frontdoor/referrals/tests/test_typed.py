"""The typed copy of a sent form (Submission.typed): at sending, every section cleaned by
its own form again and stored in one canonical shape beside the answers as sent, which
stay untouched. Forms sent before it are back-filled by a migration."""

import datetime
import importlib
import uuid

import pytest
from django.apps import apps

from frontdoor.addresses.models import Address
from frontdoor.referrals import registry
from frontdoor.referrals.models import Submission
from frontdoor.referrals.submissions import submit_without_account
from frontdoor.referrals.tests.test_social_care_versions import SECTIONS, old_draft
from frontdoor.referrals.typed import typed_copy
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

BACK_FILL = importlib.import_module("frontdoor.referrals.migrations.0008_typed_copy_back_filled")
FORMS = ["social-care-referral", "early-help-request", "lado-referral", "ehcna-request", "feedback"]
HOME = Address(
    property_name="Flat 2",
    house="14",
    street="Foregate Street",
    town="Worcester",
    postcode="wr1 1dn",
    uprn="100120654321",
)
ZOE = {
    "first_name": " Zoë ",
    "last_name": "Smith-Jones",
    "also_known_as": "Zo, Zozo",
    "is_unborn": "no",
    "date_of_birth": {"day": "7", "month": "03", "year": "2016"},
    "gender": "female",
    "ethnicity": "white_british",
    "interpreter_needed": "no",
    "nhs_number": "943 476 5919",
    "address": HOME,
}
UNBORN = {
    "first_name": "Baby",
    "last_name": "Smith-Jones",
    "is_unborn": "yes",
    "due_date": datetime.date(2027, 1, 14),
    "address": HOME,
}


def test_the_typed_copy_is_canonical_and_the_answers_as_sent_stay_as_typed(professional, teams):
    submission = send(
        professional,
        "social-care-referral",
        children=[ZOE, UNBORN],
        immediate_risk={"at_risk_now": "yes"},
    )
    zoe, baby = submission.typed["children"]
    assert zoe == {
        "first_name": "Zoë",
        "last_name": "Smith-Jones",
        "also_known_as": "Zo, Zozo",
        "is_unborn": "no",
        "date_of_birth": "2016-03-07",
        "gender": "female",
        "ethnicity": "white_british",
        "interpreter_needed": "no",
        "nhs_number": "9434765919",
        "address": {
            "property_name": "Flat 2",
            "house": "14",
            "street": "Foregate Street",
            "area": "",
            "town": "Worcester",
            "county": "",
            "postcode": "WR1 1DN",
            "uprn": "100120654321",
        },
    }
    # Not asked (the date of birth of an unborn baby) or not answered: left out.
    assert baby == {
        "first_name": "Baby",
        "last_name": "Smith-Jones",
        "is_unborn": "yes",
        "due_date": "2027-01-14",
        "address": zoe["address"],
    }
    assert submission.typed["immediate-risk"] == {"at_risk_now": "yes"}
    assert submission.typed["your-details"]["completing_as"] == "professional"
    assert isinstance(submission.typed["household"], list)
    # The answers as sent are what was typed.
    sent = submission.answers["children"][0]
    assert sent["date_of_birth"] == ["7", "03", "2016"]
    assert sent["address"][6] == "wr1 1dn"
    assert sent["nhs_number"] == "943 476 5919"
    # As stored, read back from the database.
    assert Submission.objects.get(pk=submission.pk).typed == submission.typed


def test_an_address_not_known_keeps_its_reason():
    definition = registry.get("social-care-referral")
    child = {
        "first_name": "Ava",
        "last_name": "Smith",
        "is_unborn": "no",
        "date_of_birth": ["4", "7", "2019"],
        "address": ["", "", "", "", "", "", "", ""],
        "address__unknown_reason": "Mum is moving between friends.",
    }
    typed = typed_copy(definition, {"children": [child]}, professional=True)
    assert typed["children"][0] == {
        "first_name": "Ava",
        "last_name": "Smith",
        "is_unborn": "no",
        "date_of_birth": "2019-07-04",
        "address__unknown_reason": "Mum is moving between friends.",
    }
    assert BACK_FILL.typed_copy(definition.source, {"children": [child]}) == typed


def test_an_address_stored_as_a_mapping_is_typed_like_one_stored_as_its_parts():
    definition = registry.get("lado-referral")
    as_parts = {"address": ["", "14", "Foregate Street", "", "Worcester", "", "wr11dn", "7"]}
    as_mapping = {"address": {**HOME.to_dict(), "postcode": "wr11dn", "uprn": "7"}}
    as_mapping["address"]["property_name"] = ""
    typed = typed_copy(definition, {"the-adult": as_parts}, professional=True)
    assert typed["the-adult"]["address"]["postcode"] == "WR1 1DN"
    assert typed_copy(definition, {"the-adult": as_mapping}, professional=True) == typed


def test_an_answer_no_longer_accepted_is_converted_as_stored():
    definition = registry.get("social-care-referral")
    child = {
        "first_name": "Ava",
        "is_unborn": "no",
        "date_of_birth": ["31", "2", "2019"],
        "nhs_number": "123",
    }
    typed = typed_copy(definition, {"children": [child]}, professional=True)
    # Not a real date: left out; an NHS number failing its check: its digits.
    assert typed["children"][0] == {"first_name": "Ava", "is_unborn": "no", "nhs_number": "123"}


def test_checkboxes_are_lists_of_values(professional, teams):
    submission = send(
        professional,
        "lado-referral",
        allegation={"categories": ["physical", "conduct_suitability"], "what_alleged": "Hit."},
    )
    assert submission.typed["allegation"]["categories"] == ["physical", "conduct_suitability"]


def test_a_form_sent_without_an_account_has_its_typed_copy(teams):
    definition = registry.get("feedback")
    answers = {
        "about_service": None,
        "kind": "complaint",
        "what_happened": "Nobody called me back.",
        "when": ["3", "11", "2026"],
        "what_would_you_like": "",
    }
    submission = submit_without_account(definition, answers, uuid.uuid4())
    assert submission.typed == {
        "your-feedback": {
            "kind": "complaint",
            "what_happened": "Nobody called me back.",
            "when": "2026-11-03",
        }
    }
    assert submission.answers["your-feedback"]["when"] == ["3", "11", "2026"]


def test_a_form_on_an_old_version_is_typed_by_its_own_questions(
    professional_client, professional, teams
):
    draft = old_draft(professional)
    for path, answers in SECTIONS.items():
        response = professional_client.post(
            f"/forms/draft/{draft}/{path}/", {"revision": "0", **answers}
        )
        assert response.status_code == 302, path
    professional_client.post(f"/forms/draft/{draft}/send/")
    submission = Submission.objects.get(draft_key=draft)
    assert submission.form_version.version == 3
    assert submission.typed["children"][0]["date_of_birth"] == "2019-07-04"
    assert submission.typed["children"][0]["address"]["postcode"] == "WR1 1AA"


@pytest.mark.parametrize("slug", FORMS)
def test_the_back_fill_migration_types_a_form_as_sending_does(professional, teams, slug):
    children = [ZOE, UNBORN] if slug in ("social-care-referral", "early-help-request") else None
    submission = send(professional, slug, **({"children": children} if children else {}))
    definition = registry.get(slug)
    assert submission.typed == typed_copy(definition, submission.answers, professional=True)
    assert BACK_FILL.typed_copy(submission.form_version.definition, submission.answers) == (
        submission.typed
    )


def test_the_back_fill_fills_every_submission_made_before_it(professional, teams):
    first = send(professional, "social-care-referral", children=[ZOE, CHILD])
    second = send(professional, "ehcna-request")
    expected = {first.pk: first.typed, second.pk: second.typed}
    Submission.objects.update(typed={})  # as they were before the typed copy existed

    BACK_FILL.back_fill(apps, None)

    assert dict(Submission.objects.values_list("pk", "typed")) == expected
