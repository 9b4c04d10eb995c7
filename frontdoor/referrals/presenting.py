"""How answers are shown (check your answers, a sent form) and pre-filled from an account.

Every line shown is passed through `reveal`: a control or bidirectional character stored
before they were refused shows as ⟨U+202E⟩, on the page and in the PDF copy, instead of
silently reordering or hiding what is read.
"""

import datetime
from dataclasses import dataclass, replace
from typing import Any

from frontdoor.accounts.models import User
from frontdoor.addresses.models import Address
from frontdoor.addresses.postcodes import normalise_postcode
from frontdoor.core.text import reveal
from frontdoor.referrals.answers import ADDRESS_PARTS, UNKNOWN, typed_errors
from frontdoor.referrals.definitions import ROLE_LABELS, Definition, Question, Section
from frontdoor.referrals.models import Submission
from frontdoor.referrals.services import definition_of


@dataclass(frozen=True)
class Row:
    question: Question
    lines: list[str]
    item: int | None = None
    # Check your answers: why the answer is not accepted yet ("… must be a real date").
    problem: str = ""


def prefill(section: Section, user: User) -> dict[str, Any]:
    """A new section's answers from the account ("Your details"), editable for this form."""
    initial: dict[str, Any] = {}
    for question in section.questions:
        if question.prefill == "address":
            initial[question.id] = user.address.to_dict()
        elif question.prefill:
            initial[question.id] = getattr(user, question.prefill, "")
        elif question.type == "completing_as":
            initial[question.id] = "professional" if user.is_professional else ""
    return initial


def asked(question: Question, answers: dict[str, Any]) -> bool:
    """Whether a question was asked, given the other answers of its section (show_if)."""
    if question.show_if is None:
        return True
    answer = answers.get(question.show_if.question)
    values = answer if isinstance(answer, list) else [answer]
    return any(str(v) in question.show_if.values for v in values if v)


def show(question: Question, value: Any, answers: dict[str, Any]) -> list[str]:
    """One answer as the lines a person reads."""
    if question.type == "address":
        if isinstance(value, list):
            value = {name: part for (name, _, _), part in zip(ADDRESS_PARTS, value, strict=False)}
        if isinstance(value, dict) and value.get("postcode"):
            value = {
                **value,
                "postcode": normalise_postcode(value["postcode"]) or value["postcode"],
            }
        lines = Address.from_dict(value).lines() if isinstance(value, dict) else []
        reason = answers.get(f"{question.id}{UNKNOWN}")
        if not lines and reason:
            return ["Address not known", str(reason)]
        return lines
    if question.type == "date" and isinstance(value, list):
        if not any(value):
            return []
        try:
            day, month, year = (int(part) for part in value)
            return [f"{datetime.date(year, month, day):%-d %B %Y}"]
        except (TypeError, ValueError):
            return [_typed_date(value)]  # not a real date: as typed
    labels = {o.value: o.label for o in question.options}
    if question.type == "yes_no":
        labels = {"yes": "Yes", "no": "No"}
    if question.type == "completing_as":
        labels = dict(ROLE_LABELS)
    if isinstance(value, list):
        return [str(labels.get(v, v)) for v in value if v]
    if value in (None, ""):
        return []
    return str(labels.get(str(value), value)).splitlines() or [str(value)]


def _typed_date(parts: list[Any]) -> str:
    """A date that is not a real one, as typed: "31 / 2 / 2024", or the parts given."""
    typed = [str(part or "").strip() for part in parts]
    if all(typed):
        return " / ".join(typed)
    given = zip(("Day", "Month", "Year"), typed, strict=False)
    return ", ".join(f"{name} {part}" for name, part in given if part)


def check_rows(
    section: Section, stored: Any, completed: bool, who: tuple[str, ...], professional: bool
) -> list[Row]:
    """Check your answers: each answer that would not be accepted yet is flagged with why,
    so it can be changed before sending (GOV.UK check answers: the row needs an answer)."""
    rows = answer_rows(section, stored)
    if stored is None or (completed and section.repeat is None):
        return rows
    items = stored if isinstance(stored, list) else [stored]
    problems: dict[int | None, dict[str, str]] = {}
    for index, answers in enumerate(items):
        if section.repeat is not None and answers.get("_valid"):
            continue
        key = index if section.repeat else None
        problems[key] = typed_errors(section, who, professional, answers)
    return [
        replace(row, problem=problems.get(row.item, {}).get(row.question.id, "")) for row in rows
    ]


def answer_rows(section: Section, stored: Any) -> list[Row]:
    """The rows of a summary list for one section (each item of a repeating one)."""
    if stored is None:
        return []
    items = stored if isinstance(stored, list) else [stored]
    rows = []
    for index, answers in enumerate(items):
        for question in section.questions:
            if question.id not in answers or not asked(question, answers):
                continue
            rows.append(
                Row(
                    question=question,
                    lines=[
                        reveal(line) for line in show(question, answers.get(question.id), answers)
                    ],
                    item=index if section.repeat else None,
                )
            )
    return rows


def no_reply_because(submission: Submission) -> str:
    """Why the team will not respond to the sender, as the confirmation says it, or "".

    Not to a form sent without an account, nor to feedback sent anonymously or without
    "Would you like a reply?" answered Yes (the questions `anonymous` and `reply_wanted`,
    docs/forms.md).
    """
    if submission.owner_id is None:
        return "You sent it without an account, so they do not know who you are and will not reply."
    for answers in submission.answers.values():
        if not isinstance(answers, dict):
            continue
        if answers.get("anonymous") == "yes":
            return "You sent it without your name and contact details, so they will not reply."
        if answers.get("reply_wanted") == "no":
            return "You said you would not like a reply, so they will not reply."
        if "reply_wanted" in answers and answers["reply_wanted"] != "yes":
            return "You did not ask for a reply, so they will not reply."
    return ""


def expects_reply(submission: Submission) -> bool:
    return not no_reply_because(submission)


def children_named(definition: Definition, answers: dict[str, Any]) -> str:
    """Who a form is about, from its answers: "Ava Smith", "Ava Smith and 2 other children",
    or "" before a child's name is given. How a person tells their drafts apart."""
    for section in definition.sections:
        if section.repeat is None or section.repeat.item != "child":
            continue
        items = [i for i in answers.get(section.slug) or [] if isinstance(i, dict)]
        names = [
            " ".join(str(i.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
            for i in items
        ]
        named = [n for n in names if n]
        if not named:
            return ""
        others = len(items) - 1
        if others == 0:
            return named[0]
        return f"{named[0]} and {others} other {'child' if others == 1 else 'children'}"
    return ""


def submission_context(submission: Submission) -> dict[str, Any]:
    """What every view of a sent form shows: the form as it was, its status history."""
    definition = definition_of(submission.form_version)
    sections = [s for s in definition.sections if s.slug in submission.answers]
    return {
        "submission": submission,
        "definition": definition,
        "without_account": submission.owner_id is None,
        "no_reply_because": no_reply_because(submission),
        "history": list(submission.history.all()),
        "summary": [(s, answer_rows(s, submission.answers.get(s.slug))) for s in sections],
    }
