from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation

from frontdoor.accounts.models import User, normalise_email
from frontdoor.addresses.forms import AddressFieldsMixin
from frontdoor.core.forms import GovukForm

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label: str, required_message: str | None = None, **kwargs: Any) -> forms.CharField:
    if required_message:
        kwargs["error_messages"] = {"required": required_message}
    else:
        kwargs["required"] = False
    kwargs.setdefault("max_length", 100)
    return forms.CharField(label=label, **kwargs)


class PersonalDetailsForm(AddressFieldsMixin, GovukForm):
    """Names, professional details, telephone and address: registration step 1 and Your details."""

    first_name = _text(
        "First name",
        "Enter your first name",
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    last_name = _text(
        "Surname",
        "Enter your surname",
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    organisation = _text(
        "Organisation",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    job_title = _text(
        "Job title",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    telephone = _text(
        "Telephone",
        max_length=30,
        help_text="For example, 01632 960983 or 07700 900982",
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )

    field_order = [
        "first_name",
        "last_name",
        "professional",
        "organisation",
        "job_title",
        "telephone",
        "property_name",
        "house",
        "street",
        "area",
        "town",
        "county",
        "postcode",
    ]

    def __init__(self, *args: Any, professional: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whether the account is a professional's is fixed once registered: an
        # administrator changes it after checking. Registration asks; Your details shows.
        self.fixed_professional = professional
        # Required of professionals only: the star shows where the question does.
        for name in ("organisation", "job_title"):
            self.fields[name].required_when_shown = True  # type: ignore[attr-defined]
        for name, autocomplete in (
            ("house", "address-line1"),
            ("street", "address-line2"),
            ("area", "address-line3"),
            ("town", "address-level2"),
            ("county", "address-level1"),
        ):
            self.fields[name].widget.attrs.setdefault("autocomplete", autocomplete)

    def is_professional(self) -> bool:
        if self.fixed_professional is not None:
            return self.fixed_professional
        return self.cleaned_data.get("professional") == "yes"

    def clean_telephone(self) -> str:
        value: str = self.cleaned_data["telephone"].strip()
        if value and not _looks_like_phone(value):
            raise forms.ValidationError(
                "Enter a telephone number, like 01632 960983 or 07700 900982"
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_professional():
            if not cleaned.get("organisation"):
                self.add_error("organisation", "Enter your organisation")
            if not cleaned.get("job_title"):
                self.add_error("job_title", "Enter your job title")
        else:
            cleaned["organisation"] = ""
            cleaned["job_title"] = ""
        return cleaned

    def details(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in ("first_name", "last_name", "organisation", "job_title", "telephone")
        }
        data["address"] = self.address()
        return data


class RegisterStep1Form(PersonalDetailsForm):
    professional = forms.ChoiceField(
        label="Is this account being used in a professional capacity?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=(
            "For example, as a teacher, GP, health visitor, police officer or nursery worker. "
            "Childminders and foster carers who use a personal email address should choose No."
        ),
        error_messages={
            "required": "Select yes if this account is being used in a professional capacity"
        },
    )

    def details(self) -> dict[str, Any]:
        data = super().details()
        data["is_professional"] = self.is_professional()
        return data


def _looks_like_phone(value: str) -> bool:
    digits = [c for c in value if c.isdigit()]
    allowed = set("0123456789 +()-")
    return 10 <= len(digits) <= 15 and set(value) <= allowed


class EmailField(forms.EmailField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Email address")
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
            },
        )
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget",
            forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return normalise_email(super().clean(value))


class NewPasswordMixin(forms.Form):
    """A new password typed twice, checked against the council's policy for `user`."""

    password_user: User | None = None

    new_password = forms.CharField(
        label="Password",
        strip=False,
        max_length=1000,  # the policy refuses over 128 with its own message
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password"},
    )
    confirm_password = forms.CharField(
        label="Confirm password",
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("new_password")
        confirm = cleaned.get("confirm_password")
        if password:
            try:
                password_validation.validate_password(password, self.policy_user())
            except forms.ValidationError as error:
                self.add_error("new_password", error)
            if confirm is not None and password != confirm:
                self.add_error("confirm_password", "The passwords do not match")
        return cleaned

    def policy_user(self) -> User | None:
        return self.password_user


class RegisterStep2Form(NewPasswordMixin, GovukForm):
    email = EmailField()

    field_order = ["email", "new_password", "confirm_password"]

    def __init__(self, *args: Any, step1: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step1 = step1
        self.fields["email"].help_text = "We will send a code to this address to check it is yours."

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        domain = email.rsplit("@", 1)[-1]
        if self.step1.get("professional") == "yes" and domain in settings.PERSONAL_EMAIL_DOMAINS:
            raise forms.ValidationError(
                "Enter your work email address. Professionals cannot register with a personal "
                f"email address such as {domain}. If you only have a personal address (for "
                "example as a childminder or foster carer), go back and register as not "
                "professional: we can change this after checking."
            )
        return email

    def policy_user(self) -> User:
        return User(
            first_name=self.step1.get("first_name", ""),
            last_name=self.step1.get("last_name", ""),
            email=self.cleaned_data.get("email", ""),
        )


class SignInForm(GovukForm):
    email = EmailField(label="Email")
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Verification code",
        max_length=20,
        help_text="The code is 6 digits, for example 123456.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-10",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the verification code"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6-digit code from the email")
        return code


class ForgottenPasswordForm(GovukForm):
    email = EmailField()


class ResetPasswordForm(NewPasswordMixin, GovukForm):
    """The new password, once the reset code has been accepted (never before)."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.password_user = user
        self.fields["new_password"].label = "New password"
        self.fields["confirm_password"].label = "Confirm new password"


class ChangePasswordForm(NewPasswordMixin, GovukForm):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password"},
    )
    field_order = ["current_password", "new_password", "confirm_password"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.password_user = user
        self.fields["new_password"].label = "New password"
        self.fields["confirm_password"].label = "Confirm new password"


class ChangeEmailForm(GovukForm):
    email = EmailField(label="New email address")
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if email == self.user.email:
            raise forms.ValidationError(
                "Enter an email address that is different from your current one"
            )
        domain = email.rsplit("@", 1)[-1]
        if self.user.is_professional and domain in settings.PERSONAL_EMAIL_DOMAINS:
            raise forms.ValidationError(
                f"Enter your work email address. Professional accounts cannot use {domain}."
            )
        return email
