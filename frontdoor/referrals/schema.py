"""A JSON Schema (draft 2020-12) of a form version's typed answers (`Submission.typed`).

The typed copy has one canonical shape (referrals/typed.py); this describes it for one
definition, so that a system reading sent forms knows exactly what each one can hold:

- an object of the sections with answers (not the supporting documentation), each an
  object keyed by question id, or for a repeating section an array of such objects
  (`minItems`/`maxItems` its repeat's min and max); nothing else (additionalProperties
  false everywhere the shape is closed);
- each question typed precisely: text with its maximum length, a date ISO 8601
  (`format: date`), a choice the `enum` of its values, checkboxes an array of them, an NHS
  number its 10 digits, an address an object of its named parts (postcode normalised, UPRN
  digits or ""), "address not known" `<id>__unknown_reason`; `title` the question as
  asked, `description` its hint;
- `required` where the form requires an answer. A question asked only after a given answer
  (`show_if`) is required only then (`if`/`then`), and is never there otherwise (`else`);
  a section shown to some senders only (professionals) may be missing. A form that can also
  be sent without an account is either shape (`anyOf`): that page's questions only.

It is made from the definition alone (a stored FormVersion's own, through `schema_of`), so
the schema of a stored version never changes. An answer stored before a rule was met the
way it is now (typed.as_stored) may fall outside it; every form sent today fits.
"""

from typing import Any

from frontdoor.referrals.answers import ADDRESS_PARTS, FIELD_TYPES, UNKNOWN, UNKNOWN_LABEL
from frontdoor.referrals.definitions import Definition, Question, Section
from frontdoor.referrals.drafts import NON_PROFESSIONAL_ROLES
from frontdoor.referrals.models import FormVersion
from frontdoor.referrals.services import definition_of

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# What the fields accept (answers.py): the address parts' length, the NHS number's digits,
# the characters of a telephone number, the normalised postcode (addresses.postcodes).
ADDRESS_PART_MAX_LENGTH = 150
UNKNOWN_REASON_MAX_LENGTH = 500
ADDRESS_NEEDS = ("street", "town", "postcode")
POSTCODE = r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}|GIR 0AA)$"
UPRN = r"^(?:[0-9]{1,12})?$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
NHS_NUMBER = r"^[0-9]{10}$"
TELEPHONE = r"^[ +()-]*(?:[0-9][ +()-]*){10,15}$"  # 10 to 15 digits
YES_NO = ["yes", "no"]
ACCOUNT_KINDS = (("professional",), NON_PROFESSIONAL_ROLES)


def typed_schema(definition: Definition) -> dict[str, Any]:
    """The JSON Schema of the typed answers of a form sent on this definition."""
    sections = [s for s in definition.sections if _has_answers(s)]
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "title": definition.title,
        "description": (
            f"The typed answers of a {definition.title} sent on version {definition.version}"
            " of its form, by section."
        ),
        **_answers(
            {s.slug: _section(definition, s) for s in sections},
            [s.slug for s in sections if _always_shown(definition, s)],
        ),
    }
    section = definition.without_account_section()
    if section is not None:
        # Sent from the one page without an account: that page's questions only.
        without = _answers({section.slug: _section(definition, section)}, [section.slug])
        with_account = {k: schema.pop(k) for k in ("type", "properties", "required")}
        schema.pop("additionalProperties")
        schema["anyOf"] = [
            {"title": "Sent with an account", **with_account, "additionalProperties": False},
            {"title": "Sent without an account", **without},
        ]
    return schema


# Schemas of stored versions, by (slug, version, content hash), with the Definition they
# were made from: definition_of gives the same one while the stored row is unchanged.
_schemas: dict[tuple[str, int, str], tuple[Definition, dict[str, Any]]] = {}
SCHEMAS_MAX = 256


def schema_of(version: FormVersion) -> dict[str, Any]:
    """The schema of a stored form version's typed answers, made once per process (later
    calls return the same dict, which must not be changed: copy it to add to it)."""
    definition = definition_of(version)
    key = (version.slug, version.version, version.content_hash)
    cached = _schemas.get(key)
    if cached is not None and cached[0] is definition:
        return cached[1]
    schema = typed_schema(definition)
    if len(_schemas) >= SCHEMAS_MAX:
        _schemas.clear()
    _schemas[key] = (definition, schema)
    return schema


def _has_answers(section: Section) -> bool:
    """Whether the typed copy holds the section (the supporting documentation: files)."""
    return any(q.type in FIELD_TYPES for q in section.questions)


def _always_shown(definition: Definition, section: Section) -> bool:
    """Whether every account that may send the form is asked the section (drafts.sections_for),
    so that it is always sent (a repeating one that may have no items aside)."""
    if section.repeat is not None and section.repeat.min == 0:
        return False
    return all(
        any(role in section.who for role in roles)
        for roles in ACCOUNT_KINDS
        if any(role in definition.who for role in roles)
    )


def _answers(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _section(definition: Definition, section: Section) -> dict[str, Any]:
    item = _item(definition, section)
    described = {"title": section.title}
    if section.description:
        described["description"] = section.description
    if section.repeat is None:
        return {**described, **item}
    return {
        **described,
        "type": "array",
        "items": {"title": section.repeat.item.capitalize(), **item},
        "minItems": section.repeat.min,
        "maxItems": section.repeat.max,
    }


def _item(definition: Definition, section: Section) -> dict[str, Any]:
    """One section's answers (one item's, if it repeats)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    rules: list[dict[str, Any]] = []
    questions = {q.id: q for q in section.questions}
    for question in section.questions:
        if question.type not in FIELD_TYPES:
            continue
        properties[question.id] = _question(definition, question)
        reason = f"{question.id}{UNKNOWN}"
        if question.type == "address" and question.allow_unknown:
            properties[reason] = {
                "title": UNKNOWN_LABEL,
                "description": f"Why the answer to \u201c{question.label}\u201d is not known.",
                "type": "string",
                "minLength": 1,
                "maxLength": UNKNOWN_REASON_MAX_LENGTH,
            }
            # The address or why it is not known, never both.
            rules.append({"not": {"required": [question.id, reason]}})
            present: dict[str, Any] = {
                "anyOf": [{"required": [question.id]}, {"required": [reason]}]
            }
        else:
            present = {"required": [question.id]}
        if question.show_if is not None:
            target = questions[question.show_if.question]
            values = list(question.show_if.values)
            answer = (
                {"type": "array", "contains": {"enum": values}}
                if target.type == "checkboxes"
                else {"enum": values}
            )
            rule: dict[str, Any] = {
                "if": {"properties": {target.id: answer}, "required": [target.id]}
            }
            if question.required:
                rule["then"] = present
            rule["else"] = {"not": present}  # not asked: never answered
            rules.append(rule)
        elif question.required and question.type == "address" and question.allow_unknown:
            rules.append(present)
        elif question.required:
            required.append(question.id)
    item: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if rules:
        item["allOf"] = rules
    return item


def _question(definition: Definition, question: Question) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": question.label}
    if question.hint:
        schema["description"] = question.hint
    return {**schema, **_value(definition, question)}


def _value(definition: Definition, question: Question) -> dict[str, Any]:
    """What an answer to the question is in the typed copy (typed._canonical)."""
    kind = question.type
    if kind in ("text", "long_text", "email", "telephone"):
        value: dict[str, Any] = {"type": "string", "minLength": 1}
        if question.max_length is not None:
            value["maxLength"] = question.max_length
        if kind == "email":
            value["format"] = "email"
        if kind == "telephone":
            value["pattern"] = TELEPHONE
        return value
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": ISO_DATE}
    if kind == "nhs_number":
        return {"type": "string", "pattern": NHS_NUMBER}
    if kind == "yes_no":
        return {"type": "string", "enum": YES_NO}
    if kind in ("radios", "select"):
        return {"type": "string", "enum": [o.value for o in question.options]}
    if kind == "checkboxes":
        return {
            "type": "array",
            "items": {"type": "string", "enum": [o.value for o in question.options]},
            "minItems": 1,
            "uniqueItems": True,
        }
    if kind == "completing_as":
        return {"type": "string", "enum": list(definition.who)}
    if kind == "address":
        return _address()
    raise ValueError(f"{kind} questions have no typed answer")


def _address() -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for name, label, _ in ADDRESS_PARTS:
        part: dict[str, Any] = {"title": label, "type": "string"}
        if name == "postcode":
            part["pattern"] = POSTCODE
        elif name == "uprn":
            part["pattern"] = UPRN
            part["description"] = 'The Unique Property Reference Number, or "" if not known.'
        else:
            part["maxLength"] = ADDRESS_PART_MAX_LENGTH
            if name in ADDRESS_NEEDS:
                part["minLength"] = 1
        parts[name] = part
    return {
        "type": "object",
        "properties": parts,
        "required": [name for name, _, _ in ADDRESS_PARTS],
        "additionalProperties": False,
    }
