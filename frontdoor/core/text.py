"""Text people type: no control characters, no bidirectional overrides.

A right-to-left override (U+202E) shows the rest of a line backwards, so what a social
worker reads is not what was stored (Trojan Source); a bell or a NUL shows as nothing, or
as a missing glyph in the PDF copy. One validator refuses them in every field a person
types in (forms here, the API later); `reveal` shows any that were stored before, as
⟨U+202E⟩, wherever stored text is shown.

Refused: C0 controls (U+0000 to U+001F), DEL and the C1 controls (U+007F to U+009F), and the
bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069). A
multi-line answer may hold line breaks (\\n, and the \\r\\n that browsers send from a
textarea) and tabs; a single-line one may not.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

MULTI_LINE_ALLOWED = "\n\r\t"
_HIDDEN = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
HIDDEN = re.compile(f"[{_HIDDEN}]")

NAMES = {
    "\n": "a line break",
    "\r": "a line break",
    "\t": "a tab",
    "\u202a": "a left-to-right embedding",
    "\u202b": "a right-to-left embedding",
    "\u202c": "a pop directional formatting character",
    "\u202d": "a left-to-right override",
    "\u202e": "a right-to-left override",
    "\u2066": "a left-to-right isolate",
    "\u2067": "a right-to-left isolate",
    "\u2068": "a first strong isolate",
    "\u2069": "a pop directional isolate",
}


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def describe(character: str) -> str:
    """What was found, as a person is told: "a right-to-left override", "a control
    character (U+0007)"."""
    return NAMES.get(character, f"a control character ({code_point(character)})")


def first_hidden(value: str, *, multi_line: bool) -> str | None:
    """The first character `value` may not hold, or None."""
    for match in HIDDEN.finditer(value):
        character = match.group()
        if multi_line and character in MULTI_LINE_ALLOWED:
            continue
        return character
    return None


def reveal(value: str) -> str:
    """Stored text with any such character made visible: "a⟨U+202E⟩b". Line breaks and
    tabs are left as they are (the page lays them out)."""
    return HIDDEN.sub(
        lambda m: m.group() if m.group() in MULTI_LINE_ALLOWED else f"⟨{code_point(m.group())}⟩",
        value,
    )


def message(label: str, character: str) -> str:
    """GOV.UK style: "Reason for referral must not contain invisible or control characters
    (a right-to-left override was found)"."""
    label = " ".join(str(label or "This answer").split())
    subject = f"The answer to \u201c{label}\u201d" if label.endswith("?") else label
    return (
        f"{subject} must not contain invisible or control characters "
        f"({describe(character)} was found)"
    )


@deconstructible
class PlainText:
    """The one validator: refuses control and bidirectional formatting characters."""

    code = "hidden_characters"

    def __init__(self, label: str = "", *, multi_line: bool = False) -> None:
        self.label = str(label)
        self.multi_line = multi_line

    def __call__(self, value: Any) -> None:
        for text in _strings(value):
            character = first_hidden(text, multi_line=self.multi_line)
            if character is not None:
                raise ValidationError(message(self.label, character), code=self.code)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PlainText)
            and other.label == self.label
            and other.multi_line == self.multi_line
        )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def is_multi_line(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def guard(field: forms.Field, label: str) -> None:
    """Give `field` (and each part of a multi-part field) the validator, once.

    Passwords are left alone: they are never shown, and refusing a character in one
    would lock out whoever chose it.
    """
    if isinstance(field.widget, forms.PasswordInput):
        return
    if isinstance(field, forms.MultiValueField):
        for part in field.fields:
            guard(part, label)
        return
    if not any(isinstance(v, PlainText) for v in field.validators):
        field.validators.append(PlainText(label, multi_line=is_multi_line(field)))


def guarded(field: forms.Field) -> bool:
    """Whether `field` refuses hidden characters (the walk over every form checks this)."""
    if isinstance(field.widget, forms.PasswordInput):
        return True
    if isinstance(field, forms.MultiValueField):
        return all(guarded(part) for part in field.fields)
    return any(isinstance(v, PlainText) for v in field.validators)


class PlainTextMixin:
    """For every Django form in the portal: each field refuses hidden characters."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard_fields()

    def guard_fields(self) -> None:
        for name, field in self.fields.items():
            guard(field, str(field.label or name.replace("_", " ").capitalize()))

    def full_clean(self) -> None:
        # Again here, for a field a subclass adds after __init__.
        self.guard_fields()
        super().full_clean()  # type: ignore[misc]
        errors: dict[str, Any] = getattr(self, "_errors", None) or {}
        for listed in errors.values():
            hidden = [e for e in listed.as_data() if e.code == PlainText.code]
            if hidden:
                # The one message that says what to fix: an email with an override in it
                # is also "not in the correct format", which would only puzzle.
                listed.data[:] = hidden[:1]
