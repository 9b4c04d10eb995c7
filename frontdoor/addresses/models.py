"""An address is one structured value wherever it appears: an account, a child, an adult.

It is stored as a small JSON object (so a form's answers and an account hold the same
shape), with the UPRN when a look-up found it.
"""

from dataclasses import asdict, dataclass, fields
from typing import Any

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
