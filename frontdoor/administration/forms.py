from typing import Any

from django import forms

from frontdoor.accounts.models import User, normalise_email
from frontdoor.backoffice.inbox import DateFilterField
from frontdoor.core.forms import GovukForm


class HandOverForm(GovukForm):
    drafts_to = forms.EmailField(
        label="Hand their drafts to",
        help_text="The email address of a colleague with a professional account at the same "
        "organisation (the same ending after @). Leave it empty to leave the drafts to be "
        "deleted as usual.",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )


class HandOverClosedForm(HandOverForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["drafts_to"]
        field.required = True
        field.help_text = (
            "The email address of a colleague with a professional account at the same "
            "organisation (the same ending after @)."
        )
        field.error_messages["required"] = "Enter the email address of the colleague"


class AuditFilterForm(GovukForm):
    """The audit viewer's filter. Posted, not a GET form: it takes an email address, which
    the page turns into an account id before it goes in the address."""

    person = forms.EmailField(
        label="Person",
        help_text="The email address of the account that acted, or that was acted on",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    reference = forms.CharField(
        label="Referral reference",
        help_text="For example, FD-2026-000123",
        required=False,
        max_length=20,
    )
    action = forms.ChoiceField(label="Action", required=False)
    start = DateFilterField(label="On or after", help_text="For example, 27 3 2026")
    end = DateFilterField(label="On or before", help_text="For example, 31 3 2026")

    def __init__(self, actions: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any action"), *((action, action) for action in actions)]

    def clean_person(self) -> int | None:
        email = self.cleaned_data["person"]
        if not email:
            return None
        found = User.objects.filter(email=normalise_email(email)).values_list("pk", flat=True)
        if not found:
            raise forms.ValidationError("There is no account with that email address")
        return int(found[0])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "On or before must be the same as or after on or after")
        return cleaned
