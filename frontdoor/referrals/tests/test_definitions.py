"""The shipped form definitions load, and a broken definition is refused with a clear message."""

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from frontdoor.referrals.definitions import ROLES, DefinitionError, read_definitions

FOLDER = Path(__file__).resolve().parent.parent / "definitions"
EVERYONE = set(ROLES)

EXPECTED = {
    "social-care-referral": ("social-care", EVERYONE),
    "early-help-request": ("early-help", EVERYONE),
    "lado-referral": ("lado", {"professional"}),
    "ehcna-request": ("send", {"professional", "parent_carer", "young_person"}),
    "feedback": ("feedback", EVERYONE),
}
REFERRALS = ["social-care-referral", "early-help-request", "lado-referral", "ehcna-request"]


@pytest.fixture(scope="module")
def shipped():
    return read_definitions(FOLDER)


def test_every_shipped_definition_loads_with_its_team_and_audience(shipped):
    assert set(shipped) == set(EXPECTED)
    for slug, (team, who) in EXPECTED.items():
        definition = shipped[slug]
        assert definition.slug == slug
        assert definition.version >= 1  # raised with every change to the file
        assert definition.team == team
        assert set(definition.who) == who


@pytest.mark.parametrize("slug", REFERRALS)
def test_referral_forms_ask_about_one_or_more_children_and_take_documents(shipped, slug):
    definition = shipped[slug]
    children = definition.section("children")
    assert children.repeat is not None
    assert children.repeat.item == "child"
    assert children.repeat.min == 1
    ids = [q.id for q in children.questions]
    assert {"first_name", "last_name", "date_of_birth", "address"} <= set(ids)
    assert children.question("address").allow_unknown

    documents = definition.section("documents")
    assert documents.who == ("professional",)
    assert [(q.id, q.type) for q in documents.questions] == [("documents", "documents")]

    details = definition.section("your-details")
    assert details.question("completing_as").type == "completing_as"
    assert {q.prefill for q in details.questions} >= {"first_name", "last_name", "email"}
    assert definition.section("your-work").who == ("professional",)


def test_feedback_has_no_child_section_and_no_documents(shipped):
    feedback = shipped["feedback"]
    assert all(s.repeat is None for s in feedback.sections)
    assert all(q.type != "documents" for s in feedback.sections for q in s.questions)
    assert "children" not in [s.slug for s in feedback.sections]


def test_significant_harm_now_tells_the_referrer_to_phone(shipped):
    question = shipped["social-care-referral"].section("immediate-risk").question("at_risk_now")
    assert question.type == "yes_no"
    assert question.required
    assert "Multi-Agency Safeguarding Hub" in question.warning


def test_feedback_may_be_sent_without_an_account_with_no_contact_details(shipped):
    section = shipped["feedback"].without_account_section()
    assert section is not None
    assert section.slug == "your-feedback"
    asked = [q.id for q in section.questions]
    assert asked == ["about_service", "kind", "what_happened", "when", "what_would_you_like"]
    referrals = [d for slug, d in shipped.items() if slug != "feedback"]
    assert all(d.without_account_section() is None for d in referrals)


def test_a_switched_off_form_is_left_out():
    definitions = read_definitions(FOLDER, ["lado-referral"])
    assert "lado-referral" not in definitions
    assert set(definitions) == set(EXPECTED) - {"lado-referral"}


# --- Broken definitions -------------------------------------------------------------------

VALID: dict[str, Any] = {
    "slug": "tiny",
    "version": 1,
    "title": "Tiny form",
    "short_name": "Tiny",
    "team": "tiny-team",
    "who": ["professional"],
    "sections": [
        {
            "slug": "about",
            "title": "About",
            "questions": [
                {"id": "name", "type": "text", "label": "Name"},
                {"id": "happy", "type": "yes_no", "label": "Are you happy?"},
                {"id": "colour", "type": "radios", "label": "Colour?", "options": ["Red", "Blue"]},
            ],
        },
        {
            "slug": "more",
            "title": "More",
            "questions": [{"id": "notes", "type": "long_text", "label": "Notes"}],
        },
    ],
}


def question(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["sections"][0]["questions"][index]


def unknown_key(data):
    question(data, 0)["colour"] = "red"


def unknown_type(data):
    question(data, 0)["type"] = "essay"


def duplicate_id(data):
    question(data, 1)["id"] = "name"


def show_if_later(data):
    question(data, 0)["show_if"] = {"question": "happy", "equals": "yes"}


def show_if_unknown(data):
    question(data, 2)["show_if"] = {"question": "mood", "equals": "yes"}


def show_if_not_an_answer(data):
    question(data, 2)["show_if"] = {"question": "happy", "equals": "maybe"}


def show_if_not_an_option(data):
    data["sections"][0]["questions"].append(
        {
            "id": "why",
            "type": "text",
            "label": "Why?",
            "show_if": {"question": "colour", "in": ["green"]},
        }
    )


def options_on_text(data):
    question(data, 0)["options"] = ["A", "B"]


def radios_with_one_option(data):
    question(data, 2)["options"] = ["Red"]


def bad_version(data):
    data["version"] = 0


def version_as_text(data):
    data["version"] = "1"


def duplicate_section(data):
    data["sections"][1]["slug"] = "about"


def repeat_min_over_max(data):
    data["sections"][0]["repeat"] = {"item": "child", "min": 3, "max": 2}


def unknown_role(data):
    data["who"] = ["professional", "staff"]


def unknown_role_in_section(data):
    data["sections"][1]["who"] = ["teacher"]


def prefill_not_allowed(data):
    question(data, 0)["prefill"] = "date_of_birth"


def without_account_unknown_section(data):
    data["without_account"] = {"section": "nowhere", "questions": ["name"]}


def without_account_unknown_question(data):
    data["without_account"] = {"section": "about", "questions": ["name", "notes"]}


def without_account_prefilled(data):
    question(data, 0)["prefill"] = "first_name"
    data["without_account"] = {"section": "about", "questions": ["name"]}


def without_account_condition_left_out(data):
    question(data, 2)["show_if"] = {"question": "happy", "equals": "yes"}
    data["without_account"] = {"section": "about", "questions": ["colour"]}


BROKEN = [
    (unknown_key, "tiny.yaml: sections[0].questions[0]: unknown key(s) colour"),
    (unknown_type, "tiny.yaml: sections[0].questions[0].type: 'essay' is not one of"),
    (duplicate_id, "tiny.yaml: sections[0].questions[1].id: 'name' is used twice in this section"),
    (
        show_if_later,
        "tiny.yaml: sections[0].questions[0].show_if: refers to 'happy', "
        "which is not an earlier question in this section",
    ),
    (
        show_if_unknown,
        "tiny.yaml: sections[0].questions[2].show_if: refers to 'mood', "
        "which is not an earlier question in this section",
    ),
    (
        show_if_not_an_answer,
        "tiny.yaml: sections[0].questions[2].show_if: 'maybe' is not an answer to 'happy'",
    ),
    (
        show_if_not_an_option,
        "tiny.yaml: sections[0].questions[3].show_if: 'green' is not an answer to 'colour'",
    ),
    (
        options_on_text,
        "tiny.yaml: sections[0].questions[0].options: a text question has no options",
    ),
    (
        radios_with_one_option,
        "tiny.yaml: sections[0].questions[2].options: needs a list of at least two options",
    ),
    (bad_version, "tiny.yaml: version: must be a whole number, 1 or more"),
    (version_as_text, "tiny.yaml: version: must be a whole number, 1 or more"),
    (duplicate_section, "tiny.yaml: sections[1].slug: 'about' is used twice"),
    (
        repeat_min_over_max,
        "tiny.yaml: sections[0].repeat: min and max must be whole numbers, min ≤ max",
    ),
    (unknown_role, "tiny.yaml: who: 'staff' is not one of"),
    (unknown_role_in_section, "tiny.yaml: sections[1].who: 'teacher' is not one of"),
    (
        prefill_not_allowed,
        "tiny.yaml: sections[0].questions[0].prefill: 'date_of_birth' is not one of",
    ),
    (
        without_account_unknown_section,
        "tiny.yaml: without_account.section: 'nowhere' is not a section",
    ),
    (
        without_account_unknown_question,
        "tiny.yaml: without_account.questions[1]: 'notes' is not a question of 'about'",
    ),
    (
        without_account_prefilled,
        "tiny.yaml: without_account.questions[0]: a text question filled in from an account",
    ),
    (
        without_account_condition_left_out,
        "tiny.yaml: without_account.questions[0]: it depends on 'happy': ask that too",
    ),
]


def write(folder: Path, name: str, data: Any) -> None:
    (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_the_valid_example_loads(tmp_path):
    write(tmp_path, "tiny.yaml", VALID)
    assert list(read_definitions(tmp_path)) == ["tiny"]


@pytest.mark.parametrize(("breaks", "message"), BROKEN, ids=[b.__name__ for b, _ in BROKEN])
def test_a_broken_definition_is_refused_naming_the_file_and_place(tmp_path, breaks, message):
    data = copy.deepcopy(VALID)
    breaks(data)
    write(tmp_path, "tiny.yaml", data)
    with pytest.raises(DefinitionError, match=re.escape(message)):
        read_definitions(tmp_path)


def test_slug_must_match_the_file_name(tmp_path):
    write(tmp_path, "other.yaml", VALID)
    with pytest.raises(
        DefinitionError, match=re.escape("other.yaml: slug: must match the file name ('other')")
    ):
        read_definitions(tmp_path)


def test_invalid_yaml_is_refused_naming_the_file(tmp_path):
    (tmp_path / "tiny.yaml").write_text("slug: tiny\nsections: [\n  - oops: {\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=re.escape("tiny.yaml: not valid YAML:")):
        read_definitions(tmp_path)


def test_one_broken_file_stops_the_whole_folder(tmp_path):
    write(tmp_path, "tiny.yaml", VALID)
    broken = copy.deepcopy(VALID)
    broken["slug"] = "zzz"
    broken["who"] = ["nobody"]
    write(tmp_path, "zzz.yaml", broken)
    with pytest.raises(DefinitionError, match=re.escape("zzz.yaml: who: 'nobody' is not one of")):
        read_definitions(tmp_path)
