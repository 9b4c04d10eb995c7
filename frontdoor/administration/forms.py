from django import forms

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
