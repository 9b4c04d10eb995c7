"""Form definitions: each kind of form is a YAML file, read and checked when the app starts.

A definition that breaks a rule stops start-up with a message that names the file and the
place in it (`sections[2].questions[4].show_if`), so a council editing a form finds its
mistake at once rather than when a referrer meets it. docs/forms.md describes the format.
"""

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from frontdoor.core.reading import DataReader

ROLES = ("professional", "parent_carer", "member_of_public", "young_person")
ROLE_LABELS = {
    "professional": "Professional (LADO/Social Care/Early Help/EHCP)",
    "parent_carer": "Parent or carer",
    "member_of_public": "Member of the public",
    "young_person": "Young person",
}
TYPES = (
    "text",
    "long_text",
    "date",
    "yes_no",
    "radios",
    "checkboxes",
    "select",
    "email",
    "telephone",
    "nhs_number",
    "address",
    "completing_as",
    "documents",
)
WITH_OPTIONS = ("radios", "checkboxes", "select")
# Account details a question may be pre-filled from ("Your details").
PREFILL = ("first_name", "last_name", "email", "telephone", "organisation", "job_title", "address")
DEFAULT_MAX_LENGTH = {"text": 200, "long_text": 5000, "email": 254, "telephone": 30}
# What the one page for sending a form without an account may ask (no address finder,
# no files, nothing filled in from an account).
WITHOUT_ACCOUNT_TYPES = (
    "text", "long_text", "date", "yes_no", "radios", "checkboxes", "select", "nhs_number",
)  # fmt: skip
# The decision timescale's units (cases.timescales counts them).
TIMESCALE_UNITS = ("working_days", "calendar_days", "calendar_weeks")
# Who a section (each item of it) is about, for the people index (referrals.people).
PEOPLE = ("child", "parent_carer", "adult")
# What a question says about that person, and the question types that can say it.
IDENTIFIES = {
    "first_name": ("text",),
    "last_name": ("text",),
    "also_known_as": ("text",),
    "date_of_birth": ("date",),
    "due_date": ("date",),
    "unborn": ("yes_no",),
    "nhs_number": ("nhs_number",),
    "address": ("address",),
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class DefinitionError(Exception):
    """A form definition breaks a rule. The message names the file and the place."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Ask this question only when an earlier one in the section has one of these answers."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None
    prefill: str = ""
    allow_unknown: bool = False  # address: "address not known", with a reason
    past_only: bool = False  # date: not in the future
    warning: str = ""  # yes_no: shown when answered yes (immediate risk: phone now)
    error: str = ""  # the message when a required answer is missing, GOV.UK style
    identifies: str = ""  # in a section about a person: which of their details this is
    urgent: str = ""  # yes_no: the flag staff see when answered yes ("Unsafe tonight")
    withhold_from_family: bool = False  # staff see this answer first: not to be shared

    @property
    def anchor(self) -> str:
        """The id of the first box of the question on its page (for "Change" links)."""
        parts = ("yes_no", "radios", "checkboxes", "completing_as", "date", "address")
        return f"id_{self.id}_0" if self.type in parts else f"id_{self.id}"


@dataclass(frozen=True)
class Repeat:
    """A section asked once per item: "Add another child"."""

    item: str
    min: int = 1
    max: int = 20


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    questions: tuple[Question, ...]
    description: str = ""
    repeat: Repeat | None = None
    who: tuple[str, ...] = ROLES  # who is shown this section (documents: professionals)
    person: str = ""  # who the section (each item of it) is about: child, parent_carer, adult

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    @property
    def documents(self) -> bool:
        """A Supporting documentation section: files, not answers (frontdoor.documents)."""
        return any(q.type == "documents" for q in self.questions)


@dataclass(frozen=True)
class WithoutAccount:
    """The form may also be sent without an account: one page asking these questions of
    one section (no contact details, so no reply), no draft."""

    section: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Timescale:
    """How long the team has to decide what happens next: `amount` of `unit`
    (working_days, calendar_days or calendar_weeks). The cases app counts it."""

    amount: int
    unit: str


@dataclass(frozen=True)
class Definition:
    slug: str
    version: int
    title: str
    short_name: str
    team: str
    who: tuple[str, ...]
    sections: tuple[Section, ...]
    description: str = ""
    without_account: WithoutAccount | None = None
    timescale: Timescale | None = None
    source: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def without_account_section(self) -> Section | None:
        """The section asked on the page for sending without an account, or None."""
        if self.without_account is None:
            return None
        section = self.section(self.without_account.section)
        asked = self.without_account.questions
        return dataclasses.replace(
            section, questions=tuple(q for q in section.questions if q.id in asked)
        )

    @property
    def content_hash(self) -> str:
        """Identifies this exact content: a changed file must carry a new version number."""
        canonical = json.dumps(self.source, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def section(self, slug: str) -> Section:
        return next(s for s in self.sections if s.slug == slug)

    @property
    def paragraphs(self) -> list[str]:
        """The description as paragraphs: blank lines separate them, line breaks don't."""
        return [" ".join(p.split()) for p in re.split(r"\n\s*\n", self.description) if p.strip()]

    def available_to(self, role: str) -> bool:
        return role in self.who


class _Reader(DataReader):
    """Reads one definition, keeping the path to where it is for the error message."""

    error = DefinitionError

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be some text")
        return value.strip()

    def roles(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, f"must be a list of one or more of {', '.join(ROLES)}")
        for role in value:
            if role not in ROLES:
                raise self.fail(where, f"{role!r} is not one of {', '.join(ROLES)}")
        return tuple(value)

    def definition(self, data: Any) -> Definition:
        data = self.mapping(
            data,
            "",
            {
                "slug",
                "version",
                "title",
                "short_name",
                "team",
                "who",
                "description",
                "sections",
                "without_account",
                "timescale",
            },
            {"slug", "version", "title", "short_name", "team", "who", "sections"},
        )
        slug = self.text(data["slug"], "slug")
        if not SLUG.match(slug):
            raise self.fail(
                "slug", "use lower-case letters, digits and hyphens, like social-care-referral"
            )
        version = data["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", "must be a whole number, 1 or more")
        sections = data["sections"]
        if not isinstance(sections, list) or not sections:
            raise self.fail("sections", "must be a list of one or more sections")
        read = tuple(self.section(s, f"sections[{i}]") for i, s in enumerate(sections))
        seen: set[str] = set()
        for i, section in enumerate(read):
            if section.slug in seen:
                raise self.fail(f"sections[{i}].slug", f"{section.slug!r} is used twice")
            seen.add(section.slug)
        without_account = None
        if "without_account" in data:
            without_account = self.without_account(data["without_account"], read)
        return Definition(
            slug=slug,
            version=version,
            title=self.text(data["title"], "title"),
            short_name=self.text(data["short_name"], "short_name"),
            team=self.text(data["team"], "team"),
            who=self.roles(data["who"], "who"),
            description=str(data.get("description", "")).strip(),
            sections=read,
            without_account=without_account,
            timescale=self.timescale(data["timescale"]) if "timescale" in data else None,
            source=data,
        )

    def timescale(self, data: Any) -> Timescale:
        where = "timescale"
        data = self.mapping(data, where, {"amount", "unit"}, {"amount", "unit"})
        amount = data["amount"]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
            raise self.fail(f"{where}.amount", "must be a whole number, 1 or more")
        if data["unit"] not in TIMESCALE_UNITS:
            raise self.fail(
                f"{where}.unit", f"{data['unit']!r} is not one of {', '.join(TIMESCALE_UNITS)}"
            )
        return Timescale(amount=amount, unit=data["unit"])

    def without_account(self, data: Any, sections: tuple[Section, ...]) -> WithoutAccount:
        where = "without_account"
        data = self.mapping(data, where, {"section", "questions"}, {"section", "questions"})
        section = next((s for s in sections if s.slug == data["section"]), None)
        if section is None:
            raise self.fail(f"{where}.section", f"{data['section']!r} is not a section")
        asked = data["questions"]
        if not isinstance(asked, list) or not asked:
            raise self.fail(f"{where}.questions", "must be a list of one or more question ids")
        for i, question_id in enumerate(asked):
            here = f"{where}.questions[{i}]"
            question = next((q for q in section.questions if q.id == question_id), None)
            if question is None:
                raise self.fail(here, f"{question_id!r} is not a question of {section.slug!r}")
            if question.type not in WITHOUT_ACCOUNT_TYPES or question.prefill:
                raise self.fail(
                    here,
                    f"a {question.type} question filled in from an account or needing more "
                    "than one page cannot be asked without an account",
                )
            if question.show_if is not None and question.show_if.question not in asked:
                raise self.fail(here, f"it depends on {question.show_if.question!r}: ask that too")
        return WithoutAccount(section=section.slug, questions=tuple(asked))

    def section(self, data: Any, where: str) -> Section:
        data = self.mapping(
            data,
            where,
            {"slug", "title", "description", "repeat", "who", "person", "questions"},
            {"slug", "title", "questions"},
        )
        slug = self.text(data["slug"], f"{where}.slug")
        person = data.get("person", "")
        if "person" in data and person not in PEOPLE:
            raise self.fail(f"{where}.person", f"{person!r} is not one of {', '.join(PEOPLE)}")
        if not SLUG.match(slug):
            raise self.fail(f"{where}.slug", "use lower-case letters, digits and hyphens")
        questions_data = data["questions"]
        if not isinstance(questions_data, list) or not questions_data:
            raise self.fail(f"{where}.questions", "must be a list of one or more questions")
        questions: list[Question] = []
        for i, item in enumerate(questions_data):
            question = self.question(item, f"{where}.questions[{i}]", questions)
            if question.identifies:
                here = f"{where}.questions[{i}].identifies"
                if not person:
                    raise self.fail(
                        here, "only a section with a person has questions that identify"
                    )
                if any(q.identifies == question.identifies for q in questions):
                    raise self.fail(here, f"{question.identifies!r} is used twice in this section")
            questions.append(question)
        repeat = None
        if "repeat" in data:
            r = self.mapping(data["repeat"], f"{where}.repeat", {"item", "min", "max"}, {"item"})
            low, high = r.get("min", 1), r.get("max", 20)
            if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high):
                raise self.fail(f"{where}.repeat", "min and max must be whole numbers, min ≤ max")
            repeat = Repeat(item=self.text(r["item"], f"{where}.repeat.item"), min=low, max=high)
        return Section(
            slug=slug,
            title=self.text(data["title"], f"{where}.title"),
            description=str(data.get("description", "")).strip(),
            questions=tuple(questions),
            repeat=repeat,
            who=self.roles(data["who"], f"{where}.who") if "who" in data else ROLES,
            person=person,
        )

    def question(self, data: Any, where: str, earlier: list[Question]) -> Question:
        data = self.mapping(
            data,
            where,
            {
                "id",
                "type",
                "label",
                "hint",
                "required",
                "max_length",
                "options",
                "show_if",
                "prefill",
                "allow_unknown",
                "past_only",
                "warning",
                "error",
                "identifies",
                "urgent",
                "withhold_from_family",
            },
            {"id", "type", "label"},
        )
        question_id = self.text(data["id"], f"{where}.id")
        if not IDENTIFIER.match(question_id):
            raise self.fail(
                f"{where}.id", "use lower-case letters, digits and _, starting with a letter"
            )
        if any(q.id == question_id for q in earlier):
            raise self.fail(f"{where}.id", f"{question_id!r} is used twice in this section")
        kind = data["type"]
        if kind not in TYPES:
            raise self.fail(f"{where}.type", f"{kind!r} is not one of {', '.join(TYPES)}")
        required = data.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(f"{where}.required", "must be true or false")
        max_length = data.get("max_length", DEFAULT_MAX_LENGTH.get(kind))
        if "max_length" in data and (
            kind not in DEFAULT_MAX_LENGTH or not isinstance(max_length, int) or max_length < 1
        ):
            raise self.fail(
                f"{where}.max_length", f"only text answers have one, a whole number ({kind})"
            )
        options: tuple[Option, ...] = ()
        if kind in WITH_OPTIONS:
            options = self.options(data.get("options"), f"{where}.options")
        elif "options" in data:
            raise self.fail(f"{where}.options", f"a {kind} question has no options")
        show_if = None
        if "show_if" in data:
            show_if = self.condition(data["show_if"], f"{where}.show_if", earlier)
        prefill = data.get("prefill", "")
        if prefill and prefill not in PREFILL:
            raise self.fail(f"{where}.prefill", f"{prefill!r} is not one of {', '.join(PREFILL)}")
        identifies = data.get("identifies", "")
        if "identifies" in data:
            if identifies not in IDENTIFIES:
                raise self.fail(
                    f"{where}.identifies",
                    f"{identifies!r} is not one of {', '.join(IDENTIFIES)}",
                )
            if kind not in IDENTIFIES[identifies]:
                raise self.fail(
                    f"{where}.identifies",
                    f"{identifies} is a {' or '.join(IDENTIFIES[identifies])} question, not {kind}",
                )
        urgent = ""
        if "urgent" in data:
            urgent = self.text(data["urgent"], f"{where}.urgent")
            if kind != "yes_no":
                raise self.fail(f"{where}.urgent", f"only a yes_no question flags urgency ({kind})")
        withhold = data.get("withhold_from_family", False)
        if not isinstance(withhold, bool):
            raise self.fail(f"{where}.withhold_from_family", "must be true or false")
        return Question(
            id=question_id,
            type=kind,
            label=self.text(data["label"], f"{where}.label"),
            hint=str(data.get("hint", "")).strip(),
            required=required,
            max_length=max_length,
            options=options,
            show_if=show_if,
            prefill=prefill,
            allow_unknown=bool(data.get("allow_unknown", False)),
            past_only=bool(data.get("past_only", False)),
            warning=str(data.get("warning", "")).strip(),
            error=str(data.get("error", "")).strip(),
            identifies=identifies,
            urgent=urgent,
            withhold_from_family=withhold,
        )

    def options(self, data: Any, where: str) -> tuple[Option, ...]:
        if not isinstance(data, list) or len(data) < 2:
            raise self.fail(where, "needs a list of at least two options")
        options = []
        for i, item in enumerate(data):
            if isinstance(item, str):
                value = re.sub(r"[^a-z0-9]+", "_", item.lower()).strip("_")
                options.append(Option(value=value, label=item))
            else:
                mapped = self.mapping(item, f"{where}[{i}]", {"value", "label"}, {"value", "label"})
                options.append(
                    Option(
                        value=self.text(str(mapped["value"]), f"{where}[{i}].value"),
                        label=self.text(mapped["label"], f"{where}[{i}].label"),
                    )
                )
        values = [o.value for o in options]
        if len(set(values)) != len(values):
            raise self.fail(where, "two options have the same value")
        return tuple(options)

    def condition(self, data: Any, where: str, earlier: list[Question]) -> Condition:
        data = self.mapping(data, where, {"question", "equals", "in"}, {"question"})
        target = next((q for q in earlier if q.id == data["question"]), None)
        if target is None:
            raise self.fail(
                where,
                f"refers to {data['question']!r}, which is not an earlier question in this section",
            )
        if ("equals" in data) == ("in" in data):
            raise self.fail(where, "give either equals or in")
        values = (data["equals"],) if "equals" in data else data["in"]
        if not isinstance(values, (list, tuple)) or not values:
            raise self.fail(where, "in must be a list of answers")
        allowed = {o.value for o in target.options} if target.options else None
        if target.type == "yes_no":
            allowed = {"yes", "no"}
        values = tuple("yes" if v is True else "no" if v is False else str(v) for v in values)
        if allowed is not None:
            for value in values:
                if value not in allowed:
                    raise self.fail(where, f"{value!r} is not an answer to {target.id!r}")
        return Condition(question=target.id, values=values)


def definition_from_source(name: str, data: Any) -> Definition:
    """A definition from its parsed content (a stored version), checked like a file."""
    return _Reader(name).definition(data)


def read_definition(path: Path) -> Definition:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path.name}: not valid YAML: {error}") from None
    definition = _Reader(path.name).definition(data)
    if definition.slug != path.stem:
        raise DefinitionError(f"{path.name}: slug: must match the file name ({path.stem!r})")
    return definition


def read_definitions(folder: Path, switched_off: list[str] | None = None) -> dict[str, Definition]:
    """Every definition in `folder` (one YAML file each) but those switched off."""
    definitions = {}
    for path in sorted(folder.glob("*.yaml")):
        definition = read_definition(path)
        if definition.slug not in (switched_off or []):
            definitions[definition.slug] = definition
    return definitions
