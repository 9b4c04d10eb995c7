"""Template helpers for GOV.UK Design System markup."""

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from frontdoor.core.text import reveal

register = template.Library()

INPUT_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "password": "govuk-input govuk-password-input__input govuk-js-password-input-input",
    "number": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "date": "govuk-input",
    "checkbox": "govuk-checkboxes__input",
}
# GOV.UK styles these inputs' error state on the form group, not the input.
NO_ERROR_CLASS = {"checkbox"}


@register.simple_tag
def govuk_widget(field: BoundField, extra_class: str = "") -> SafeString:
    """The field's widget with GOV.UK classes and the hint/error ids it is described by."""
    widget_type = field.widget_type
    classes = [INPUT_CLASSES.get(widget_type, "govuk-input")]
    for extra in (field.field.widget.attrs.get("class", ""), extra_class):
        if extra:
            classes.append(extra)
    if field.errors and widget_type not in NO_ERROR_CLASS:
        classes.append(f"{classes[0].split()[0]}--error")
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": " ".join(classes)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def error_id(field: BoundField) -> str:
    """Where the error summary links to: the field, or the first radio for radios."""
    if field.widget_type == "address":
        return f"{field.auto_id}__find_postcode"  # the address finder comes first
    if field.widget_type in ("radioselect", "checkboxselectmultiple", "date"):
        return f"{field.auto_id}_0"
    return str(field.auto_id)


@register.filter
def govuk_datetime(value: Any) -> str:
    """GOV.UK style: 29 November 2026 at 6:01pm (local time)."""
    from django.utils import timezone

    local = timezone.localtime(value)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local.strftime('%p').lower()}"


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    """`mapping[key]` in a template, or None."""
    return (mapping or {}).get(key)


@register.filter
def visible(value: Any) -> str:
    """Stored text with control and bidirectional characters shown as ⟨U+202E⟩ (core.text)."""
    return reveal(str(value or ""))
