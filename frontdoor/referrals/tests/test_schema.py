"""The JSON Schema of a form version's typed answers (referrals/schema.py): every form in
use, sent for real in several shapes, has a typed copy the schema accepts, and the schema
refuses what the typed copy never holds."""

import copy
import datetime
import uuid
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from frontdoor.accounts.models import User
from frontdoor.addresses.models import Address
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.answers import FIELD_TYPES, UNKNOWN
from frontdoor.referrals.definitions import Definition, Question, Section, read_definition
from frontdoor.referrals.models import FormVersion, Submission
from frontdoor.referrals.schema import schema_of, typed_schema
from frontdoor.referrals.services import stored_version
from frontdoor.referrals.submissions import submit_without_account
from tests.sending import send

pytestmark = pytest.mark.django_db

VERSION_3 = (
    Path(__file__).parent / "versions" / "social-care-referral-3" / "social-care-referral.yaml"
)
WITH_UPRN = Address(
    property_name="Flat 2",
    house="14",
    street="Foregate Street",
    area="City centre",
    town="Worcester",
    county="Worcestershire",
    postcode="wr1 1dn",
    uprn="100120654321",
)
WITHOUT_UPRN = Address(house="3", street="Example Lane", town="Worcester", postcode="WR12AB")


def errors(schema: dict[str, Any], typed: Any) -> list[str]:
    """Why the schema refuses `typed` (nothing: it fits), dates checked as real dates."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(typed)]


def answer(definition: Definition, question: Question, user: User, flip: bool, uprn: bool) -> Any:
    """A valid answer to every question, as a page posts it; `flip` picks the other choices
    (so that questions asked after "yes" are asked, and those after "no" are not)."""
    kind = question.type
    if kind in ("text", "long_text"):
        return f"Answer to {question.id}"[: question.max_length]
    if kind == "email":
        return "sample@school.example"
    if kind == "telephone":
        return "01632 960983"
    if kind == "nhs_number":
        return "943 476 5919"
    if kind == "date":
        return datetime.date(2015, 1, 1) if flip else datetime.date(2016, 3, 27)
    if kind == "address":
        return WITH_UPRN if uprn else WITHOUT_UPRN
    if kind == "yes_no":
        return "yes" if flip else "no"
    if kind in ("radios", "select"):
        return question.options[-1 if flip else 0].value
    if kind == "checkboxes":
        return [question.options[-1].value] if flip else [o.value for o in question.options]
    if kind == "completing_as":
        roles = drafts.roles_of(user)
        return next(role for role in definition.who if role in roles)
    return ""


def everything(
    definition: Definition,
    section: Section,
    user: User,
    flip: bool = False,
    uprn: bool = True,
    unknown: bool = False,
) -> dict[str, Any]:
    """Every question of the section answered (or its address not known, `unknown`)."""
    given: dict[str, Any] = {}
    for question in section.questions:
        if question.type not in FIELD_TYPES:
            continue
        if unknown and question.type == "address" and question.allow_unknown:
            given[question.id] = ""
            given[f"{question.id}{UNKNOWN}"] = "Moving between friends."
        else:
            given[question.id] = answer(definition, question, user, flip, uprn)
    return given


def every_answer(
    definition: Definition, user: User, *, items: int, flip: bool, uprn: bool
) -> dict[str, Any]:
    """What send() is given for every section: all optional answers too, `items` of each
    repeating section (the last with its addresses not known, when there are several)."""
    given: dict[str, Any] = {}
    for section in drafts.sections_for(user, definition):
        key = section.slug.replace("-", "_")
        if section.repeat is None:
            given[key] = everything(definition, section, user, flip, uprn)
        else:
            count = min(items, section.repeat.max)
            given[key] = [
                everything(
                    definition,
                    section,
                    user,
                    flip=flip != (index % 2 == 1),
                    uprn=uprn,
                    unknown=count > 1 and index == count - 1,
                )
                for index in range(count)
            ]
    return given


def senders(slug: str, professional: User, member_of_public: User) -> list[User]:
    definition = registry.get(slug)
    assert definition is not None
    return [u for u in (professional, member_of_public) if drafts.may_use(u, definition)]


def test_every_form_in_use_has_a_valid_schema():
    assert sorted(registry.forms()) == FORMS  # each is sent below
    for definition in registry.forms().values():
        schema = typed_schema(definition)
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == definition.title


FORMS = ["early-help-request", "ehcna-request", "feedback", "lado-referral", "social-care-referral"]


@pytest.mark.parametrize("slug", FORMS)
def test_every_shape_a_form_is_sent_in_fits_its_schema(
    slug, professional, member_of_public, settings
):
    settings.DRAFTS_MAX_PER_HOUR = 100
    definition = registry.get(slug)
    assert definition is not None
    schema = typed_schema(definition)
    for user in senders(slug, professional, member_of_public):
        shapes = {
            "minimal": {},
            "one item, every answer, with UPRNs": every_answer(
                definition, user, items=1, flip=False, uprn=True
            ),
            "three items, the other answers, no UPRNs": every_answer(
                definition, user, items=3, flip=True, uprn=False
            ),
            "two items, every answer, no UPRNs": every_answer(
                definition, user, items=2, flip=False, uprn=False
            ),
        }
        for name, given in shapes.items():
            submission = send(user, slug, **given)
            assert submission.typed, name
            assert schema_of(submission.form_version) == schema
            assert errors(schema, submission.typed) == [], (user.email, name, submission.typed)
            if given:
                # Every answer was given: each question asked is in the typed copy.
                for section in drafts.sections_for(user, definition):
                    for item in _items(submission.typed.get(section.slug)):
                        asked = [
                            q.id
                            for q in section.questions
                            if q.type in FIELD_TYPES and q.show_if is None
                        ]
                        missing = [
                            q for q in asked if q not in item and f"{q}{UNKNOWN}" not in item
                        ]
                        assert missing == [], (name, section.slug)
    # The shapes reach what they are meant to: repeats of 3, addresses with and without.
    seen = str([s.typed for s in Submission.objects.filter(form_version__slug=slug)])
    if any(s.repeat and s.repeat.max >= 3 for s in definition.sections):
        assert any(
            len(v) == 3
            for s in Submission.objects.filter(form_version__slug=slug)
            for v in s.typed.values()
            if isinstance(v, list)
        )
    if any(q.type == "address" for s in definition.sections for q in s.questions):
        assert "'uprn': '100120654321'" in seen
        assert "'uprn': ''" in seen
        assert "'postcode': 'WR1 1DN'" in seen


def _items(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def test_an_address_not_known_fits_and_needs_its_reason(professional):
    definition = registry.get("social-care-referral")
    given = every_answer(definition, professional, items=2, flip=False, uprn=True)
    submission = send(professional, "social-care-referral", **given)
    schema = schema_of(submission.form_version)
    child = submission.typed["children"][1]
    assert child["address__unknown_reason"] == "Moving between friends."
    assert "address" not in child
    assert errors(schema, submission.typed) == []

    both = copy.deepcopy(submission.typed)
    both["children"][1]["address"] = submission.typed["children"][0]["address"]
    assert errors(schema, both)
    neither = copy.deepcopy(submission.typed)
    del neither["children"][1]["address__unknown_reason"]
    assert errors(schema, neither)


@pytest.fixture
def sent(professional) -> Submission:
    definition = registry.get("social-care-referral")
    given = every_answer(definition, professional, items=1, flip=False, uprn=True)
    return send(professional, "social-care-referral", **given)


@pytest.mark.parametrize(
    "change",
    [
        # A date not ISO 8601, or not a real date.
        lambda t: t["children"][0].update(date_of_birth="27/03/2016"),
        lambda t: t["children"][0].update(date_of_birth="2016-02-30"),
        # A choice not in the list; yes or no as something else.
        lambda t: t["children"][0].update(gender="unknown"),
        lambda t: t["children"][0].update(interpreter_needed=True),
        lambda t: t["your-details"].update(completing_as="someone"),
        # An unknown key: in an item, in an address, a section the form does not have.
        lambda t: t["children"][0].update(favourite_colour="blue"),
        lambda t: t["children"][0]["address"].update(flat="2"),
        lambda t: t.update({"pets": {"name": "Rex"}}),
        # The documents are not answers.
        lambda t: t.update({"documents": {}}),
        # An address without its parts, a postcode as typed, a UPRN not digits.
        lambda t: t["children"][0]["address"].pop("county"),
        lambda t: t["children"][0]["address"].update(postcode="wr1 1dn"),
        lambda t: t["children"][0]["address"].update(uprn="UPRN 7"),
        # An NHS number as typed; an email address that is not one; text too long.
        lambda t: t["children"][0].update(nhs_number="943 476 5919"),
        lambda t: t["your-details"].update(email="not an email"),
        lambda t: t["children"][0].update(first_name="A" * 101),
        lambda t: t["children"][0].update(first_name=""),
        # A required answer missing; a required section missing; no child; a repeat as one.
        lambda t: t["children"][0].pop("first_name"),
        lambda t: t.pop("consent"),
        lambda t: t.update(children=[]),
        lambda t: t.update(children=t["children"][0]),
        lambda t: t.update(children=t["children"] * 21),
        # A question asked only after another answer: there without it, missing with it.
        lambda t: t["children"][0].update(due_date="2026-09-14"),
        lambda t: t["children"][0].pop("date_of_birth"),
        lambda t: t["consent"].pop("no_consent_reason"),
        lambda t: t["consent"].update(consent_given_by="Mum"),
    ],
)
def test_what_the_typed_copy_never_holds_is_refused(sent, change):
    schema = schema_of(sent.form_version)
    assert sent.typed["children"][0]["is_unborn"] == "no"
    assert sent.typed["consent"]["consent_given"] == "no"
    assert errors(schema, sent.typed) == []
    changed = copy.deepcopy(sent.typed)
    change(changed)
    assert errors(schema, changed)


def test_an_answer_asked_after_yes_is_required_then(professional):
    definition = registry.get("social-care-referral")
    given = every_answer(definition, professional, items=1, flip=True, uprn=True)
    submission = send(professional, "social-care-referral", **given)
    schema = schema_of(submission.form_version)
    typed = submission.typed
    assert typed["children"][0]["is_unborn"] == "yes"
    assert "due_date" in typed["children"][0]
    assert errors(schema, typed) == []
    without = copy.deepcopy(typed)
    del without["children"][0]["due_date"]
    assert errors(schema, without)
    # An optional question asked after yes may be left out.
    assert typed["consent"]["consent_given"] == "yes"
    optional = copy.deepcopy(typed)
    del optional["consent"]["consent_given_by"]
    assert errors(schema, optional) == []


def test_a_checkbox_value_not_in_the_list_is_refused(professional):
    submission = send(
        professional,
        "lado-referral",
        allegation={"categories": ["physical", "conduct_suitability"], "what_alleged": "Hit."},
    )
    schema = schema_of(submission.form_version)
    assert errors(schema, submission.typed) == []
    for wrong in (["physical", "pushing"], [], "physical", ["physical", "physical"]):
        changed = copy.deepcopy(submission.typed)
        changed["allegation"]["categories"] = wrong
        assert errors(schema, changed), wrong


def test_a_question_has_its_text_and_hint(professional):
    schema = typed_schema(registry.get("social-care-referral"))
    child = schema["properties"]["children"]
    assert child["type"] == "array"
    assert child["minItems"] == 1
    assert child["maxItems"] == 20
    assert child["title"] == "Who is this about"
    questions = child["items"]["properties"]
    assert questions["date_of_birth"]["title"] == "Date of birth"
    assert questions["date_of_birth"]["description"] == "For example, 27 3 2015"
    assert questions["date_of_birth"]["format"] == "date"
    assert questions["gender"]["enum"] == ["female", "male", "other", "not_known"]
    assert "description" not in questions["first_name"]
    assert questions["first_name"]["maxLength"] == 100
    assert child["items"]["additionalProperties"] is False
    # Asked only of professionals (your-work), or perhaps no items: not required.
    required = schema["required"]
    assert "your-work" not in required
    assert "others-involved" not in required
    assert "children" in required
    assert "documents" not in schema["properties"]


def test_a_section_shown_to_professionals_only_may_be_missing(member_of_public):
    submission = send(member_of_public, "social-care-referral")
    assert "your-work" not in submission.typed
    assert submission.typed["your-details"]["completing_as"] != "professional"
    assert errors(schema_of(submission.form_version), submission.typed) == []


def test_a_form_sent_without_an_account_fits_its_schema():
    definition = registry.get("feedback")
    answers = {
        "about_service": "early-help",
        "kind": "complaint",
        "what_happened": "Nobody called me back.",
        "when": ["3", "11", "2025"],
        "what_would_you_like": "A call.",
    }
    submission = submit_without_account(definition, answers, uuid.uuid4())
    schema = schema_of(submission.form_version)
    assert set(submission.typed) == {"your-feedback"}
    assert errors(schema, submission.typed) == []
    # Not a question of that page (a reply needs contact details), nor a required one gone.
    asked_more = copy.deepcopy(submission.typed)
    asked_more["your-feedback"]["reply_wanted"] = "yes"
    assert errors(schema, asked_more)
    missing = copy.deepcopy(submission.typed)
    del missing["your-feedback"]["kind"]
    assert errors(schema, missing)
    assert errors(schema, {})


def test_a_stored_version_has_the_schema_of_its_own_definition(professional):
    """An old version (Social Care 3, as shipped) sent today fits its own schema, made from
    its stored copy; so does a version stored with questions the files no longer have."""
    version_3 = read_definition(VERSION_3)
    submission = send(professional, "social-care-referral", definition=version_3)
    assert submission.form_version.version == 3
    assert schema_of(submission.form_version) == typed_schema(version_3)
    assert errors(schema_of(submission.form_version), submission.typed) == []

    feedback = registry.get("feedback")
    source = copy.deepcopy(feedback.source)
    source["version"] = 99
    source["sections"][1]["questions"][1]["options"] = ["Praise", "Grumble"]
    stored = FormVersion.objects.create(
        slug="feedback", version=99, content_hash="not-in-any-file", definition=source
    )
    kind = schema_of(stored)["anyOf"][0]["properties"]["your-feedback"]["properties"]["kind"]
    assert kind["enum"] == ["praise", "grumble"]
    assert kind["title"] == "What kind of feedback is it?"


def test_the_schema_is_made_once_per_stored_version(professional):
    version = stored_version(registry.get("lado-referral"))
    first = schema_of(version)
    assert schema_of(FormVersion.objects.get(pk=version.pk)) is first
    # A row whose content is not what was cached (written by hand) is read again.
    changed = FormVersion.objects.get(pk=version.pk)
    changed.definition = copy.deepcopy(changed.definition)
    changed.definition["title"] = "Another title"
    again = schema_of(changed)
    assert again is not first
    assert again["title"] == "Another title"
    assert first["title"] == registry.get("lado-referral").title
