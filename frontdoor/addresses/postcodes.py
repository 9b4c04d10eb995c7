"""UK postcodes: validation, the normal written form (`wr52np` → `WR5 2NP`), the council's area."""

import re

from django.conf import settings

# The formats the Royal Mail issues: outward code (area, district, optional letter),
# then inward code (sector digit, unit letters). GIR 0AA is Girobank's historic code.
_POSTCODE = re.compile(
    r"^(?:(?P<out>[A-Z]{1,2}[0-9][A-Z0-9]?)(?P<in>[0-9][ABD-HJLNP-UW-Z]{2})|GIR0AA)$"
)


def normalise_postcode(value: str) -> str | None:
    """The postcode in capitals with one space before the inward code, or None if invalid."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.match(compact)
    if not match:
        return None
    return f"{match['out']} {match['in']}"


def postcode_district(postcode: str) -> str:
    """The outward code (`WR5` of `WR5 2NP`), which councils use to describe their area."""
    return postcode.split(" ")[0]


def in_council_area(postcode: str) -> bool:
    """Whether the postcode is in the council's area (settings.COUNCIL_POSTCODE_DISTRICTS).

    The area is a list of districts (`WR5`) and, where a boundary splits a district, sectors
    (`WR15 8`). An invalid postcode is not in the area; an empty list means no check.
    """
    areas = {" ".join(area.upper().split()) for area in settings.COUNCIL_POSTCODE_DISTRICTS}
    if not areas:
        return True
    normal = normalise_postcode(postcode)
    if normal is None:
        return False
    return postcode_district(normal) in areas or normal[:-2] in areas
