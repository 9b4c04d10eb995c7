from typing import Any

from django import forms

from frontdoor.addresses.models import ADDRESS_MAX_LENGTH, Address
from frontdoor.addresses.postcodes import normalise_postcode

ADDRESS_FIELDS = ("property_name", "house", "street", "area", "town", "county", "postcode")


class AddressFieldsMixin(forms.Form):
    """The manual address fields, added to any form; `address()` gives the value."""

    property_name = forms.CharField(label="Property name", required=False, max_length=100)
    house = forms.CharField(label="House number or name", required=False, max_length=100)
    street = forms.CharField(
        label="Street", max_length=150, error_messages={"required": "Enter the street"}
    )
    area = forms.CharField(label="Area", required=False, max_length=100)
    town = forms.CharField(
        label="Town/City",
        max_length=100,
        error_messages={"required": "Enter the town or city"},
    )
    county = forms.CharField(label="County", required=False, max_length=100)
    postcode = forms.CharField(
        label="Postcode",
        max_length=16,
        error_messages={"required": "Enter the postcode"},
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
        ),
    )

    def clean_postcode(self) -> str:
        value = normalise_postcode(self.cleaned_data["postcode"])
        if value is None:
            raise forms.ValidationError("Enter a real postcode, like WR5 2NP")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        complete = all(name in cleaned for name in ("street", "town", "postcode"))
        if complete and len(self.address().joined()) > ADDRESS_MAX_LENGTH:
            raise forms.ValidationError(
                f"The address must be {ADDRESS_MAX_LENGTH} characters or fewer"
            )
        return cleaned

    def address(self) -> Address:
        return Address.from_dict({name: self.cleaned_data.get(name, "") for name in ADDRESS_FIELDS})

    @staticmethod
    def initial_from(address: Address) -> dict[str, str]:
        return {name: getattr(address, name) for name in ADDRESS_FIELDS}
