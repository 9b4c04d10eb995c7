from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting

from frontdoor.core.text import PlainTextMixin


class GovukFormRenderer(TemplatesSetting):
    """Renders every form and field with GOV.UK Design System markup (templates/govuk/)."""

    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


class GovukForm(PlainTextMixin, forms.Form):
    """A form whose errors read like GOV.UK's and which leaves validation to the server.

    Every field refuses control and bidirectional formatting characters (core.text).

    GOV.UK pages turn off the browser's own validation (`novalidate`): its messages are
    not accessible and differ from ours, so fields carry no `required` attribute.
    """

    use_required_attribute = False
    # Fields that are conditional on another answer, for the radios' reveal.
    conditional: dict[str, dict[str, list[str]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # No maxlength in the page: the browser would silently cut what was pasted
            # (a postcode with spaces, a long street). The server says what is too long.
            field.widget.attrs.pop("maxlength", None)
            limit = getattr(field, "max_length", None)
            if limit:
                field.error_messages["max_length"] = (
                    f"{field.label} must be {limit} characters or fewer"
                )
