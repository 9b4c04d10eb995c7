"""The back office's annotations: a form's decision timescale, who its sections are about
and which questions identify them, the urgent answers and what must not be shared with the
family. Read and checked with the rest of the definition; optional, so old stored
versions still read; a version stored before them borrows the current form's."""

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from frontdoor.referrals import registry
from frontdoor.referrals.annotations import (
    annotated,
    has_annotations,
    urgent_flags,
    withheld_answers,
)
from frontdoor.referrals.definitions import (
    DefinitionError,
    Timescale,
    definition_from_source,
    read_definition,
    read_definitions,
)
from frontdoor.referrals.services import definition_of, stored_version
from frontdoor.referrals.tests.test_definitions import FOLDER
from tests.sending import send

VERSION_3 = (
    Path(__file__).parent / "versions" / "social-care-referral-3" / "social-care-referral.yaml"
)


@pytest.fixture(scope="module")
def shipped():
    return read_definitions(FOLDER)


def test_each_shipped_form_has_its_decision_timescale(shipped):
    assert shipped["social-care-referral"].timescale == Timescale(1, "working_days")
    assert shipped["lado-referral"].timescale == Timescale(1, "working_days")
    assert shipped["early-help-request"].timescale == Timescale(5, "working_days")
    assert shipped["ehcna-request"].timescale == Timescale(6, "calendar_weeks")
    assert shipped["feedback"].timescale == Timescale(20, "working_days")


def test_the_forms_say_who_each_section_is_about(shipped):
    people = {
        slug: {s.slug: s.person for s in d.sections if s.person} for slug, d in shipped.items()
    }
    assert people == {
        "social-care-referral": {"children": "child", "household": "parent_carer"},
        "early-help-request": {"children": "child", "household": "parent_carer"},
        "lado-referral": {"the-adult": "adult", "children": "child"},
        "ehcna-request": {"children": "child", "parental-responsibility": "parent_carer"},
        "feedback": {},
    }
    children = shipped["social-care-referral"].section("children")
    assert {q.identifies: q.id for q in children.questions if q.identifies} == {
        "first_name": "first_name",
        "last_name": "last_name",
        "also_known_as": "also_known_as",
        "unborn": "is_unborn",
        "date_of_birth": "date_of_birth",
        "due_date": "due_date",
        "nhs_number": "nhs_number",
        "address": "address",
    }
    adult = shipped["lado-referral"].section("the-adult")
    assert {q.identifies for q in adult.questions if q.identifies} == {
        "first_name",
        "last_name",
        "date_of_birth",
        "address",
    }


def test_social_care_flags_urgency_and_what_not_to_share(shipped):
    definition = shipped["social-care-referral"]
    risk = definition.section("immediate-risk")
    assert risk.question("at_risk_now").urgent == "At risk of significant harm now"
    assert risk.question("unsafe_tonight").urgent == "Unsafe tonight"
    assert definition.section("consent").question("not_to_share").withhold_from_family
    others = [
        q.id
        for slug, d in shipped.items()
        for s in d.sections
        for q in s.questions
        if (q.urgent or q.withhold_from_family) and slug != "social-care-referral"
    ]
    assert others == []


def test_every_changed_form_raised_its_version(shipped):
    versions = {slug: d.version for slug, d in shipped.items()}
    assert versions == {
        "social-care-referral": 5,
        "lado-referral": 3,
        "early-help-request": 3,
        "ehcna-request": 3,
        "feedback": 3,
    }


def test_a_version_without_annotations_still_reads():
    old = read_definition(VERSION_3)
    assert old.timescale is None
    assert not has_annotations(old)


# --- Urgent flags and what must not be shared -------------------------------------------


@pytest.mark.django_db
def test_urgent_flags_come_from_yes_answers_in_the_forms_order(professional, teams):
    definition = registry.get("social-care-referral")
    both = send(
        professional,
        "social-care-referral",
        immediate_risk={"at_risk_now": "yes", "unsafe_tonight": "yes"},
    )
    assert urgent_flags(definition, both.answers) == [
        "At risk of significant harm now",
        "Unsafe tonight",
    ]
    assert urgent_flags(definition, both.typed) == urgent_flags(definition, both.answers)
    tonight = send(professional, "social-care-referral", immediate_risk={"unsafe_tonight": "yes"})
    assert urgent_flags(definition, tonight.answers) == ["Unsafe tonight"]
    calm = send(professional, "social-care-referral")
    assert urgent_flags(definition, calm.answers) == []
    assert urgent_flags(registry.get("feedback"), send(professional, "feedback").answers) == []


@pytest.mark.django_db
def test_withheld_answers_are_given_with_their_question(professional, teams):
    definition = registry.get("social-care-referral")
    submission = send(
        professional,
        "social-care-referral",
        consent={
            "family_told": "no",
            "consent_given": "no",
            "no_consent_reason": "Asking would put Ava at greater risk.",
            "not_to_share": "Do not say the school raised this.\nMum's new address.",
        },
    )
    assert withheld_answers(definition, submission.answers) == [
        (
            "Is there anything in this referral that must not be shared with the family?",
            "Do not say the school raised this.\nMum's new address.",
        )
    ]
    assert withheld_answers(definition, send(professional, "social-care-referral").answers) == []


@pytest.mark.django_db
def test_a_version_stored_before_annotations_borrows_the_current_forms(professional):
    old = definition_of(stored_version(read_definition(VERSION_3)))
    lent = annotated(old)
    assert lent.version == 3
    assert lent.timescale == Timescale(1, "working_days")
    assert lent.section("children").person == "child"
    assert lent.section("children").question("date_of_birth").identifies == "date_of_birth"
    # Its own questions and order are kept.
    assert [s.slug for s in lent.sections] == [s.slug for s in old.sections]
    answers = {"immediate-risk": {"at_risk_now": "yes"}}
    assert urgent_flags(old, answers) == ["At risk of significant harm now"]


# --- Broken annotations ------------------------------------------------------------------

VALID: dict[str, Any] = {
    "slug": "tiny",
    "version": 1,
    "title": "Tiny form",
    "short_name": "Tiny",
    "team": "tiny-team",
    "who": ["professional"],
    "timescale": {"amount": 2, "unit": "working_days"},
    "sections": [
        {
            "slug": "child",
            "title": "The child",
            "person": "child",
            "questions": [
                {"id": "name", "type": "text", "label": "Name", "identifies": "first_name"},
                {"id": "born", "type": "date", "label": "Born", "identifies": "date_of_birth"},
                {"id": "danger", "type": "yes_no", "label": "Danger?", "urgent": "In danger"},
            ],
        },
        {
            "slug": "more",
            "title": "More",
            "questions": [
                {
                    "id": "secret",
                    "type": "long_text",
                    "label": "Secret",
                    "withhold_from_family": True,
                }
            ],
        },
    ],
}


def _question(data: dict[str, Any], section: int, index: int) -> dict[str, Any]:
    return data["sections"][section]["questions"][index]


BROKEN = [
    (
        lambda d: d.update(timescale={"amount": 0, "unit": "working_days"}),
        "tiny.yaml: timescale.amount: must be a whole number, 1 or more",
    ),
    (
        lambda d: d.update(timescale={"amount": 1, "unit": "fortnights"}),
        "tiny.yaml: timescale.unit: 'fortnights' is not one of working_days",
    ),
    (lambda d: d.update(timescale=5), "tiny.yaml: timescale: must be a mapping"),
    (
        lambda d: d.update(timescale={"amount": 1}),
        "tiny.yaml: timescale: missing unit",
    ),
    (
        lambda d: d["sections"][0].update(person="pet"),
        "tiny.yaml: sections[0].person: 'pet' is not one of child, parent_carer, adult",
    ),
    (
        lambda d: _question(d, 0, 0).update(identifies="shoe_size"),
        "tiny.yaml: sections[0].questions[0].identifies: 'shoe_size' is not one of",
    ),
    (
        lambda d: _question(d, 0, 1).update(identifies="last_name"),
        "tiny.yaml: sections[0].questions[1].identifies: last_name is a text question, not date",
    ),
    (
        lambda d: _question(d, 0, 1).update(identifies="first_name", type="text"),
        "tiny.yaml: sections[0].questions[1].identifies: 'first_name' is used twice",
    ),
    (
        lambda d: _question(d, 1, 0).update(identifies="first_name", type="text"),
        "tiny.yaml: sections[1].questions[0].identifies: only a section with a person",
    ),
    (
        lambda d: _question(d, 0, 0).update(urgent="Named"),
        "tiny.yaml: sections[0].questions[0].urgent: only a yes_no question flags urgency",
    ),
    (
        lambda d: _question(d, 0, 2).update(urgent=""),
        "tiny.yaml: sections[0].questions[2].urgent: must be some text",
    ),
    (
        lambda d: _question(d, 1, 0).update(withhold_from_family="yes"),
        "tiny.yaml: sections[1].questions[0].withhold_from_family: must be true or false",
    ),
]


def test_the_annotated_example_loads(tmp_path):
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(VALID), encoding="utf-8")
    definition = read_definitions(tmp_path)["tiny"]
    assert definition.timescale == Timescale(2, "working_days")
    assert definition.section("child").question("danger").urgent == "In danger"
    assert definition.section("more").question("secret").withhold_from_family
    assert definition_from_source("tiny.yaml", definition.source) == definition


@pytest.mark.parametrize(("breaks", "message"), BROKEN, ids=[m for _, m in BROKEN])
def test_a_broken_annotation_is_refused_naming_the_place(tmp_path, breaks, message):
    data = copy.deepcopy(VALID)
    breaks(data)
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(DefinitionError, match=re.escape(message)):
        read_definitions(tmp_path)
