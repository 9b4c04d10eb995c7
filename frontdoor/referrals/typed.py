"""The typed copy of a sent form's answers (`Submission.typed`): one canonical shape.

The answers as sent keep what was typed (a date as its three boxes, an address as its eight
parts). At sending, every section is cleaned by its own section form again and stored
beside them in one canonical shape, which the back office, exports and the API read:

- per section slug, a mapping of question id to value; a repeating section is a list of
  such mappings, one per item, in order;
- a date is ISO 8601 (`"2016-03-27"`); an address a mapping of the ADDRESS_PARTS names
  (`property_name` … `postcode`, `uprn`, each a string, "" when empty) with the postcode
  normalised (`WR1 2AB`); "address not known" is `<id>__unknown_reason` (the reason);
- a yes/no answer is `"yes"` or `"no"` (the values `show_if` names), a choice its value,
  checkboxes a list of values, an NHS number its 10 digits;
- a question not answered (or not asked) is left out.

An answer the form would not accept now (a stored version's rule met differently today)
is converted as it is, the same way the back-fill migration converts every answer
(0008_typed_copy_back_filled): a date that is not a real one is left out.
"""

import datetime
import re
from typing import Any

from frontdoor.addresses.postcodes import normalise_postcode
from frontdoor.referrals.answers import ADDRESS_PARTS, FIELD_TYPES, UNKNOWN, bound_form
from frontdoor.referrals.definitions import Definition, Question, Section


def typed_copy(
    definition: Definition, answers: dict[str, Any], professional: bool
) -> dict[str, Any]:
    """The canonical copy of `answers` (as sent), section by section."""
    typed: dict[str, Any] = {}
    for section in definition.sections:
        if section.slug not in answers or not any(q.type in FIELD_TYPES for q in section.questions):
            continue
        stored = answers[section.slug]
        if isinstance(stored, list):
            typed[section.slug] = [
                _item(definition, section, item, professional)
                for item in stored
                if isinstance(item, dict)
            ]
        elif isinstance(stored, dict):
            typed[section.slug] = _item(definition, section, stored, professional)
    return typed


def _item(
    definition: Definition, section: Section, stored: dict[str, Any], professional: bool
) -> dict[str, Any]:
    form = bound_form(section, definition.who, professional, stored)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    item: dict[str, Any] = {}
    for question in section.questions:
        if question.type not in FIELD_TYPES or question.id not in stored:
            continue
        if question.id in form.errors:
            value = as_stored(question, stored.get(question.id))
        else:
            value = _canonical(question, cleaned.get(question.id))
        if value not in (None, "", []):
            item[question.id] = value
        reason = f"{question.id}{UNKNOWN}"
        if question.type == "address" and value is None and str(stored.get(reason) or "").strip():
            item[reason] = str(stored[reason]).strip()
    return item


def _canonical(question: Question, value: Any) -> Any:
    """A cleaned value (the section form's) in its stored shape."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if question.type == "address":
        return {name: str(value.get(name) or "") for name, _, _ in ADDRESS_PARTS}
    if question.type == "nhs_number":
        return re.sub(r"\D", "", str(value))
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v not in (None, "")]
    return str(value).strip()


def as_stored(question: Question, value: Any) -> Any:
    """A stored answer converted without its form (one the form would not accept now)."""
    if value in (None, "", []):
        return None
    if question.type == "date":
        try:
            day, month, year = (int(str(part).strip()) for part in value)
            return datetime.date(year, month, day).isoformat()
        except (TypeError, ValueError):
            return None
    if question.type == "address":
        if not isinstance(value, list | dict):
            return None
        parts = (
            dict(zip((name for name, _, _ in ADDRESS_PARTS), value, strict=False))
            if isinstance(value, list)
            else value
        )
        address = {name: str(parts.get(name) or "").strip() for name, _, _ in ADDRESS_PARTS}
        if not any(v for k, v in address.items() if k != "uprn"):
            return None
        address["postcode"] = normalise_postcode(address["postcode"]) or address["postcode"]
        return address
    if question.type == "nhs_number":
        return re.sub(r"\D", "", str(value)) or None
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return str(value).strip()
