"""What a form's annotations say about a sent form (docs/forms.md, "For the back office").

The annotations are the form-level `timescale`, a section's `person` and its questions'
`identifies`, a yes/no question's `urgent` flag and `withhold_from_family`. A version
stored before they existed has none: `annotated()` then lends it the current definition's
(the file in use with the same slug), matched by section slug and question id, so a
referral sent on an old version is flagged, indexed and timed like a new one.
"""

import dataclasses
from typing import Any

from frontdoor.referrals import registry
from frontdoor.referrals.definitions import Definition, Question, Section
from frontdoor.referrals.presenting import asked, show


def has_annotations(definition: Definition) -> bool:
    return definition.timescale is not None or any(
        section.person
        or any(q.identifies or q.urgent or q.withhold_from_family for q in section.questions)
        for section in definition.sections
    )


def annotated(definition: Definition, current: Definition | None = None) -> Definition:
    """The definition with annotations: its own, or, if it has none (a version stored
    before them), those of `current` (default: the form in use with its slug)."""
    if has_annotations(definition):
        return definition
    current = current if current is not None else registry.get(definition.slug)
    if current is None or not has_annotations(current):
        return definition
    sections = {s.slug: s for s in current.sections}
    lent = []
    for section in definition.sections:
        source = sections.get(section.slug)
        if source is None:
            lent.append(section)
            continue
        questions = {q.id: q for q in source.questions}
        lent.append(
            dataclasses.replace(
                section,
                person=source.person,
                questions=tuple(_lend(q, questions.get(q.id)) for q in section.questions),
            )
        )
    return dataclasses.replace(definition, sections=tuple(lent), timescale=current.timescale)


def _lend(question: Question, source: Question | None) -> Question:
    if source is None or source.type != question.type:
        return question
    return dataclasses.replace(
        question,
        identifies=source.identifies,
        urgent=source.urgent,
        withhold_from_family=source.withhold_from_family,
    )


def _items(section: Section, answers: dict[str, Any]) -> list[dict[str, Any]]:
    stored = answers.get(section.slug)
    if isinstance(stored, list):
        return [item for item in stored if isinstance(item, dict)]
    return [stored] if isinstance(stored, dict) else []


def urgent_flags(definition: Definition, answers: dict[str, Any]) -> list[str]:
    """The urgent flags the answers raise ("At risk of significant harm now"), in the
    form's order, each once: a yes/no question with `urgent`, answered yes (by any item
    of a repeating section). Works on the answers as sent and on the typed copy."""
    flags: list[str] = []
    for section in annotated(definition).sections:
        for question in section.questions:
            if not question.urgent or question.urgent in flags:
                continue
            if any(
                item.get(question.id) in ("yes", True) and asked(question, item)
                for item in _items(section, answers)
            ):
                flags.append(question.urgent)
    return flags


def withheld_answers(definition: Definition, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The answers that say what must not be shared with the family, as (question label,
    answer text), for the top of the staff page. Unanswered ones are left out."""
    withheld = []
    for section in annotated(definition).sections:
        for question in section.questions:
            if not question.withhold_from_family:
                continue
            for item in _items(section, answers):
                if not asked(question, item):
                    continue
                text = "\n".join(show(question, item.get(question.id), item)).strip()
                if text:
                    withheld.append((question.label, text))
    return withheld
