"""An address is one structured value wherever it appears: an account, a child, an adult.

It is stored as a small JSON object (so a form's answers and an account hold the same
shape), with the UPRN when a look-up found it. GazetteerAddress is the local gazetteer's
table, which the "gazetteer" look-up reads (lookup.py).
"""

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.db import models

ADDRESS_MAX_LENGTH = 512


@dataclass(frozen=True)
class Address:
    property_name: str = ""
    house: str = ""
    street: str = ""
    area: str = ""
    town: str = ""
    county: str = ""
    postcode: str = ""
    uprn: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Address":
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in (data or {}).items() if k in names and v is not None})

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def lines(self) -> list[str]:
        first = " ".join(part for part in (self.house, self.street) if part)
        candidates = [self.property_name, first, self.area, self.town, self.county, self.postcode]
        return [line for line in candidates if line]

    def joined(self) -> str:
        """One line, as the address is shown and as its 512-character limit is measured."""
        return ", ".join(self.lines())

    def __str__(self) -> str:
        return self.joined()

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


# Words written in lower case inside a name given in capitals ("UPTON UPON SEVERN").
_SMALL_WORDS = frozenset({"and", "at", "in", "of", "on", "the", "under", "upon"})


def tidy(value: str) -> str:
    """A name as it is shown: `ST. JOHN'S ROAD` → `St. John's Road`, `12A` stays `12A`.

    Ordnance Survey and most gazetteers supply addresses in capitals; mixed case is kept.
    """
    value = " ".join(value.split())
    if not value.isupper():
        return value
    words = re.sub(r"(?:^|(?<=[\s\-(/]))[a-z]+", _capital, value.lower())
    return re.sub(r"(?<=\d)[a-z]\b", lambda match: match[0].upper(), words)


def _capital(match: re.Match[str]) -> str:
    word = match[0]
    return word if match.start() and word in _SMALL_WORDS else word.capitalize()


def address_from_dpa(
    *,
    uprn: str,
    organisation: str = "",
    sub_building: str = "",
    building_name: str = "",
    building_number: str = "",
    thoroughfare: str = "",
    dependent_locality: str = "",
    post_town: str = "",
    postcode: str = "",
) -> Address:
    """An Address from the OS "DPA" (Royal Mail delivery point) parts of one property.

    The house is the building number, or the building name when there is no number; the
    property name is the organisation, sub-building and (with a number) building name.
    """
    house = tidy(building_number) or tidy(building_name)
    names = [tidy(organisation), tidy(sub_building)]
    if building_number:
        names.append(tidy(building_name))
    property_names = [name for i, name in enumerate(names) if name and name not in names[:i]]
    return Address(
        property_name=", ".join(property_names),
        house=house,
        street=tidy(thoroughfare),
        area=tidy(dependent_locality),
        town=tidy(post_town),
        postcode=postcode,
        uprn=uprn,
    )


class GazetteerAddress(models.Model):
    """One property of the council's gazetteer (`manage.py load_gazetteer`), in OS DPA columns."""

    uprn = models.CharField("UPRN", max_length=12, unique=True)
    organisation = models.CharField(max_length=100, blank=True)
    sub_building = models.CharField(max_length=100, blank=True)
    building_name = models.CharField(max_length=100, blank=True)
    building_number = models.CharField(max_length=10, blank=True)
    thoroughfare = models.CharField(max_length=100, blank=True)
    dependent_locality = models.CharField(max_length=100, blank=True)
    post_town = models.CharField(max_length=50, blank=True)
    postcode = models.CharField(max_length=8, db_index=True)  # normalised: "WR5 2NP"

    class Meta:
        verbose_name = "gazetteer address"
        verbose_name_plural = "gazetteer addresses"

    def __str__(self) -> str:
        return f"UPRN {self.uprn}"

    def to_address(self) -> Address:
        return address_from_dpa(
            uprn=self.uprn,
            organisation=self.organisation,
            sub_building=self.sub_building,
            building_name=self.building_name,
            building_number=self.building_number,
            thoroughfare=self.thoroughfare,
            dependent_locality=self.dependent_locality,
            post_town=self.post_town,
            postcode=self.postcode,
        )
