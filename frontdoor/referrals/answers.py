"""A section of a form definition as a Django form: fields, GOV.UK messages, conditions.

`section_form(section, who, professional)` builds the form class for one section (or one
item of a repeating one). What was typed is kept as it was typed (`typed_answers`), valid
or not: a draft stores it whatever the errors, and only sending needs every answer valid.
Addresses are found by postcode in the section view; documents come with uploads.
"""

import datetime
import re
from functools import cached_property
from typing import Any

from django import forms
from django.forms import BoundField
from django.http import QueryDict
from django.utils import timezone

from frontdoor.addresses.models import ADDRESS_MAX_LENGTH, Address
from frontdoor.addresses.postcodes import in_council_area, normalise_postcode
from frontdoor.core.forms import GovukForm
from frontdoor.core.text import guard
from frontdoor.referrals.definitions import ROLE_LABELS, Question, Section

YES_NO = [("yes", "Yes"), ("no", "No")]
# The field that says why an address is not known (questions with allow_unknown).
UNKNOWN = "__unknown_reason"
UNKNOWN_LABEL = "If you do not know the address, say why"
# Built here; the section pages add the address and documents questions' own parts.
FIELD_TYPES = {
    "text", "long_text", "date", "yes_no", "radios", "checkboxes", "select", "email",
    "telephone", "nhs_number", "completing_as", "address",
}  # fmt: skip
ADDRESS_PARTS = (
    ("property_name", "Property name", "govuk-input--width-20"),
    ("house", "House number or name", "govuk-input--width-20"),
    ("street", "Street", ""),
    ("area", "Area", "govuk-input--width-20"),
    ("town", "Town or city", "govuk-input--width-20"),
    ("county", "County", "govuk-input--width-20"),
    ("postcode", "Postcode", "govuk-input--width-10"),
    ("uprn", "UPRN", ""),
)


def nhs_number_is_valid(value: str) -> bool:
    """The NHS number's modulus 11 check: 10 digits, the last a check digit."""
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _plain(label: str) -> str:
    return label.rstrip("?").strip()


CHOICES = ("yes_no", "radios", "checkboxes", "select", "completing_as")


def _missing(question: Question) -> str:
    """The GOV.UK-style message for a required answer left out, unless the form gives one."""
    if question.error:
        return question.error
    if question.type == "address":
        if question.allow_unknown:
            return "Find the address by its postcode, enter it yourself, or say why it is not known"
        return "Find the address by its postcode, or enter it yourself"
    label = question.label.strip()
    if label.endswith("?"):
        return f"Answer the question \u201c{label}\u201d"
    lowered = label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
    if question.type in CHOICES:
        return f"Select {lowered}"
    return f"Enter {lowered}"


class DateWidget(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes."""

    template_name = "govuk/date_widget.html"

    def __init__(self) -> None:
        boxes = [
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        ]
        super().__init__(boxes)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = DateWidget

    def __init__(self, question: Question, **kwargs: Any) -> None:
        self.question = question
        parts = tuple(forms.CharField(required=False) for _ in range(3))
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> datetime.date | None:
        if not data_list or not any(data_list):
            return None
        name = _plain(self.question.label)
        day, month, year = (part.strip() for part in data_list)
        missing = [
            word
            for word, part in zip(("day", "month", "year"), (day, month, year), strict=True)
            if not part
        ]
        if missing:
            raise forms.ValidationError(f"{name} must include a {' and '.join(missing)}")
        try:
            if len(year) != 4:
                raise ValueError
            value = datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # OverflowError: 99999999999999999999
            raise forms.ValidationError(f"{name} must be a real date") from None
        if self.question.past_only and value > timezone.localdate():
            raise forms.ValidationError(f"{name} must be today or in the past")
        return value


class AddressWidget(forms.MultiWidget):
    """An address typed in its parts (or filled in by "Find address"), UPRN kept hidden."""

    template_name = "govuk/address_widget.html"

    def __init__(self) -> None:
        parts: list[forms.Widget] = [
            forms.TextInput(attrs={"class": width} if width else {})
            for _, _, width in ADDRESS_PARTS[:-1]
        ]
        parts.append(forms.HiddenInput())
        super().__init__(parts)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get(name, "") for name, _, _ in ADDRESS_PARTS]
        return [""] * len(ADDRESS_PARTS)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for subwidget, (_, label, _) in zip(
            context["widget"]["subwidgets"], ADDRESS_PARTS, strict=True
        ):
            subwidget["label"] = label
        return context


class GovukAddressField(forms.MultiValueField):
    """The structured address (frontdoor.addresses.Address) as one answer."""

    widget = AddressWidget

    def __init__(self, question: Question, **kwargs: Any) -> None:
        self.question = question
        parts = tuple(forms.CharField(required=False, max_length=150) for _ in ADDRESS_PARTS)
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> dict[str, str] | None:
        if not data_list or not any(data_list[:-1]):
            return None
        values = {
            name: (part or "").strip()
            for (name, _, _), part in zip(ADDRESS_PARTS, data_list, strict=True)
        }
        name = _plain(self.question.label)
        missing = [
            label.lower()
            for key, label, _ in ADDRESS_PARTS
            if key in ("street", "town", "postcode") and not values[key]
        ]
        if missing:
            raise forms.ValidationError(f"{name} must include the {' and '.join(missing)}")
        postcode = normalise_postcode(values["postcode"])
        if postcode is None:
            raise forms.ValidationError(f"Enter a real postcode for {name.lower()}, like WR5 2NP")
        values["postcode"] = postcode
        address = Address.from_dict(values)
        if len(address.joined()) > ADDRESS_MAX_LENGTH:
            raise forms.ValidationError(f"{name} must be {ADDRESS_MAX_LENGTH} characters or fewer")
        return address.to_dict()


def build_field(question: Question, who: tuple[str, ...], professional: bool) -> forms.Field:
    """The Django field that asks one question."""
    common: dict[str, Any] = {
        "label": question.label,
        "help_text": question.hint,
        # Required-ness is checked in SectionForm.clean, which knows the conditions.
        "required": False,
    }
    kind = question.type
    field = _field(question, kind, who, professional, common)
    # Every question refuses control and bidirectional characters, whatever its type.
    guard(field, question.label)
    # Shown with a star where the question is asked (conditions are checked in clean()).
    field.required_when_shown = question.required  # type: ignore[attr-defined]
    # Shown only after the answer it depends on (with JavaScript; without, always shown).
    field.show_if = question.show_if  # type: ignore[attr-defined]
    return field


def _field(
    question: Question,
    kind: str,
    who: tuple[str, ...],
    professional: bool,
    common: dict[str, Any],
) -> forms.Field:
    if kind in ("text", "telephone"):
        return forms.CharField(max_length=question.max_length, **common)
    if kind == "long_text":
        return forms.CharField(
            max_length=question.max_length,
            widget=forms.Textarea(attrs={"rows": 5}),
            **common,
        )
    if kind == "email":
        return forms.EmailField(
            max_length=question.max_length,
            error_messages={
                "invalid": "Enter an email address in the correct format, like name@example.com"
            },
            **common,
        )
    if kind == "nhs_number":
        return forms.CharField(
            max_length=20,
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}
            ),
            **common,
        )
    if kind == "date":
        return GovukDateField(question, **common)
    if kind == "address":
        return GovukAddressField(question, **common)
    if kind == "yes_no":
        field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
        field.inline = True  # type: ignore[attr-defined]
        return field
    if kind == "radios":
        return forms.ChoiceField(
            choices=[(o.value, o.label) for o in question.options],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == "checkboxes":
        return forms.MultipleChoiceField(
            choices=[(o.value, o.label) for o in question.options],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == "select":
        return forms.ChoiceField(
            choices=[("", "Select an option"), *[(o.value, o.label) for o in question.options]],
            **common,
        )
    if kind == "completing_as":
        # Only professional accounts are offered "Professional"; the account presets it.
        # The roles the form is for; "Professional" only for professional accounts.
        roles = [r for r in ROLE_LABELS if r in who and (professional or r != "professional")]
        return forms.ChoiceField(
            choices=[(r, ROLE_LABELS[r]) for r in roles], widget=forms.RadioSelect, **common
        )
    raise ValueError(f"{kind} questions are not built by build_field")


# Questions that can be asked inside one answer of the question before them (GOV.UK's
# conditional reveal): one box or one date. Addresses (their own buttons) and choices
# (radios inside radios) are asked after it instead.
REVEALABLE = {"text", "long_text", "date", "email", "telephone", "nhs_number", "select"}


class SectionForm(GovukForm):
    """One section's questions. Subclasses are made by `section_form`."""

    template_name = "referrals/includes/section_form.html"
    section: Section
    # Per address question: what "Find address" found, or why it could not (the view).
    finders: dict[str, dict[str, Any]]
    # Address questions answered with a postcode outside the council's area.
    out_of_area: set[str]

    # The label of "Same address as the first child", on the second child's page on.
    same_as_first: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finders = {}
        self.out_of_area = set()

    def asked(self, question: Question, values: dict[str, Any]) -> bool:
        """Whether a conditional question applies, given the answers in `values`."""
        if question.show_if is None:
            return True
        answer = values.get(question.show_if.question)
        answers = answer if isinstance(answer, list) else [answer]
        return any(str(a) in question.show_if.values for a in answers if a not in (None, ""))

    def questions(self) -> list[Question]:
        return [q for q in self.section.questions if q.id in self.fields]

    @cached_property
    def revealed(self) -> dict[str, dict[str, list[BoundField]]]:
        """Questions asked only after one answer to the question just before them ("Date of
        birth" after "No" to "Is this an unborn baby?"), by that question and answer: they
        are shown inside that answer, so even without JavaScript it is clear which applies.

        Only a question's whole run of such followers is moved, and only when each is one
        box or a date depending on one answer of a yes/no or radios question, so the
        questions keep their order."""
        questions = self.questions()
        revealed: dict[str, dict[str, list[BoundField]]] = {}
        for index, parent in enumerate(questions):
            run = []
            for follower in questions[index + 1 :]:
                if follower.show_if is None or follower.show_if.question != parent.id:
                    break
                run.append(follower)
            if (
                run
                and parent.type in ("yes_no", "radios")
                and all(
                    q.type in REVEALABLE and len(q.show_if.values) == 1 for q in run if q.show_if
                )
            ):
                answers: dict[str, list[BoundField]] = {}
                for follower in run:
                    assert follower.show_if is not None
                    answers.setdefault(follower.show_if.values[0], []).append(self[follower.id])
                revealed[parent.id] = answers
        return revealed

    @cached_property
    def revealed_names(self) -> set[str]:
        """The questions shown inside an answer: not asked again after it."""
        return {
            f.name
            for answers in self.revealed.values()
            for bound in answers.values()
            for f in bound
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {**self.typed_answers(), **cleaned}
        for question in self.questions():
            if not self.asked(question, values):
                # Not asked: its answer (perhaps typed before the answer it hangs on
                # changed) neither counts nor blocks.
                cleaned.pop(question.id, None)
                self.errors.pop(question.id, None)
                continue
            if question.id in self.errors:
                continue
            value = cleaned.get(question.id)
            if question.type == "address" and not value and cleaned.get(f"{question.id}{UNKNOWN}"):
                continue  # "address not known", with a reason
            if question.required and value in (None, "", []):
                self.add_error(question.id, _missing(question))
            elif question.type == "nhs_number" and value and not nhs_number_is_valid(value):
                self.add_error(question.id, "Enter a valid 10-digit NHS number, like 943 476 5919")
            elif question.type == "address" and value and not in_council_area(value["postcode"]):
                self.out_of_area.add(question.id)
            elif question.type == "telephone" and value and not _looks_like_phone(value):
                self.add_error(
                    question.id, "Enter a telephone number, like 01632 960983 or 07700 900982"
                )
        return cleaned

    def typed_answers(self) -> dict[str, Any]:
        """Exactly what was typed, field by field, for the draft (valid or not)."""
        typed: dict[str, Any] = {}
        for name, field in self.fields.items():
            widget = field.widget
            value = widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if isinstance(value, list | tuple):
                value = ["" if v is None else str(v).strip() for v in value]
            elif value is not None:
                value = str(value).strip()
            typed[name] = value
        return typed


def _looks_like_phone(value: str) -> bool:
    digits = [c for c in value if c.isdigit()]
    return 10 <= len(digits) <= 15 and set(value) <= set("0123456789 +()-")


def section_form(section: Section, who: tuple[str, ...], professional: bool) -> type[SectionForm]:
    """The form class for one section (one item of it, if it repeats)."""
    fields: dict[str, forms.Field] = {}
    for question in section.questions:
        if question.type not in FIELD_TYPES:
            continue
        fields[question.id] = build_field(question, who, professional)
        if question.type == "address" and question.allow_unknown:
            fields[f"{question.id}{UNKNOWN}"] = forms.CharField(
                label=UNKNOWN_LABEL,
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
    return type(
        f"{section.slug.title().replace('-', '')}Form",
        (SectionForm,),
        {"section": section, **fields},
    )


def typed_to_initial(section: Section, typed: dict[str, Any]) -> dict[str, Any]:
    """What a draft stored, as a form's initial values (a date's boxes as they were typed)."""
    return {q.id: typed[q.id] for q in section.questions if typed.get(q.id) is not None}


def typed_errors(
    section: Section, who: tuple[str, ...], professional: bool, typed: dict[str, Any]
) -> dict[str, str]:
    """Why each answer a draft stored would not be accepted, by question id: what the
    section's page says when it is saved ("Date of birth must be a real date")."""
    form = bound_form(section, who, professional, typed)
    form.is_valid()
    return {name: str(errors[0]) for name, errors in form.errors.items() if errors}


def bound_form(
    section: Section, who: tuple[str, ...], professional: bool, typed: dict[str, Any]
) -> SectionForm:
    """The section's form bound to stored values, as if they had just been posted again."""
    form_class = section_form(section, who, professional)
    data = QueryDict(mutable=True)
    for name, field in form_class.base_fields.items():
        value = typed.get(name)
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(field, GovukAddressField):
            value = [value.get(part) for part, _, _ in ADDRESS_PARTS]  # an Address's dict
        if isinstance(field.widget, forms.MultiWidget):
            for index, part in enumerate(value if isinstance(value, list) else []):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = str(value)
    return form_class(data)
