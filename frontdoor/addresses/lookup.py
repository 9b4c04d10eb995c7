"""Address look-up by postcode, behind one interface with two providers.

    addresses = get_lookup().find("wr52np", house="County Hall")

`find` normalises the postcode, sorts the addresses naturally (2, 10, Flat 2, Flat 10,
Rose Cottage) and, given a house number or name, keeps the addresses that match it, or all
of them when none does. A provider that cannot answer raises LookupUnavailable, and the
page then offers the manual address fields.

- `gazetteer` (default): the council's gazetteer, loaded into a table by
  `manage.py load_gazetteer` (a CSV in OS Places "DPA" columns; a sample ships).
- `os_places`: Ordnance Survey's OS Places API (`/postcode`, DPA dataset), with
  OS_PLACES_KEY. Neither the key nor the postcode is ever logged.
"""

import http.client
import json
import logging
import re
from abc import ABC, abstractmethod
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from frontdoor.addresses.models import Address, GazetteerAddress, address_from_dpa
from frontdoor.addresses.postcodes import normalise_postcode

logger = logging.getLogger(__name__)


class LookupUnavailable(Exception):
    """The address look-up could not answer (network, time-out, server error, bad key)."""


class AddressLookup(ABC):
    def find(self, postcode: str, house: str = "") -> list[Address]:
        """The addresses at a postcode (none if it is not a valid one), best matches first."""
        normal = normalise_postcode(postcode)
        if normal is None:
            return []
        addresses = sorted(self.addresses_at(normal), key=_natural_order)
        wanted = " ".join(house.lower().split())
        if wanted:
            matching = [address for address in addresses if _matches(address, wanted)]
            return matching or addresses
        return addresses

    @abstractmethod
    def addresses_at(self, postcode: str) -> list[Address]:
        """Every address at a normalised postcode, in any order."""


def _natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Numbers by value, before names: "2" < "10" < "Flat 2" < "Flat 10" < "Rose Cottage"."""
    parts = re.split(r"(\d+)", text.lower())
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)


def _natural_order(address: Address) -> tuple[Any, ...]:
    return (
        address.street.lower(),
        _natural_key(address.house),
        _natural_key(address.property_name),
    )


def _matches(address: Address, wanted: str) -> bool:
    """A house number matches exactly ("1" is not "10"); a name also matches part of one."""
    names = [name.lower() for name in (address.house, *address.property_name.split(", ")) if name]
    if wanted in names:
        return True
    return not wanted[0].isdigit() and any(wanted in name for name in names)


class GazetteerLookup(AddressLookup):
    def addresses_at(self, postcode: str) -> list[Address]:
        return [row.to_address() for row in GazetteerAddress.objects.filter(postcode=postcode)]


class OSPlacesLookup(AddressLookup):
    """OS Places API `GET {url}/postcode` with the DPA dataset, 100 addresses a page."""

    max_pages = 20  # no postcode holds 2,000 delivery points: a guard against a loop

    def __init__(self, url: str, key: str, timeout: float = 5.0, page_size: int = 100) -> None:
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("OS_PLACES_URL must start with https://")
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.page_size = page_size

    def addresses_at(self, postcode: str) -> list[Address]:
        found: dict[str, Address] = {}
        offset = 0
        for _ in range(self.max_pages):
            page = self._get(postcode, offset)
            # A postcode with no addresses has a header (totalresults 0) and no "results".
            results = page.get("results") or []
            for result in results:
                dpa = result.get("DPA") or {}
                if dpa.get("UPRN"):
                    found.setdefault(str(dpa["UPRN"]), _from_os_places(dpa))
            offset += len(results)
            if not results or offset >= int(page.get("header", {}).get("totalresults", 0)):
                break
        return list(found.values())

    def _get(self, postcode: str, offset: int) -> dict[str, Any]:
        query = urlencode(
            {"postcode": postcode, "dataset": "DPA", "maxresults": self.page_size, "offset": offset}
        )
        url = f"{self.url}/postcode?{query}"  # http(s) only: checked in __init__
        request = Request(url, headers={"Accept": "application/json"})  # noqa: S310
        # The key goes in a header (documented by OS), so it is in no URL or proxy log, and
        # not on to another host if the request is redirected.
        request.add_unredirected_header("key", self.key)
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                page = json.load(response)
        except HTTPError as error:
            logger.warning("OS Places look-up failed: HTTP %s", error.code)
            raise LookupUnavailable(f"OS Places answered HTTP {error.code}") from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            # The kind of failure only (ConnectionRefusedError, TimeoutError…): no URL.
            reason = getattr(error, "reason", error)
            kind = type(reason if isinstance(reason, BaseException) else error).__name__
            logger.warning("OS Places look-up failed: %s", kind)
            raise LookupUnavailable(f"OS Places did not answer ({kind})") from None
        if not isinstance(page, dict):
            logger.warning("OS Places look-up failed: not a JSON object")
            raise LookupUnavailable("OS Places answered with something else than JSON")
        return page


def _from_os_places(dpa: dict[str, Any]) -> Address:
    def field(name: str) -> str:
        return str(dpa.get(name) or "")

    return address_from_dpa(
        uprn=field("UPRN"),
        organisation=field("ORGANISATION_NAME"),
        sub_building=field("SUB_BUILDING_NAME"),
        building_name=field("BUILDING_NAME"),
        building_number=field("BUILDING_NUMBER"),
        thoroughfare=", ".join(
            part
            for part in (field("DEPENDENT_THOROUGHFARE_NAME"), field("THOROUGHFARE_NAME"))
            if part
        ),
        dependent_locality=", ".join(
            part
            for part in (field("DOUBLE_DEPENDENT_LOCALITY"), field("DEPENDENT_LOCALITY"))
            if part
        ),
        post_town=field("POST_TOWN"),
        postcode=normalise_postcode(field("POSTCODE")) or field("POSTCODE"),
    )


def get_lookup() -> AddressLookup:
    """The provider chosen by settings.ADDRESS_LOOKUP."""
    if settings.ADDRESS_LOOKUP == "gazetteer":
        return GazetteerLookup()
    if settings.ADDRESS_LOOKUP == "os_places":
        if not settings.OS_PLACES_KEY:
            raise ImproperlyConfigured("ADDRESS_LOOKUP=os_places needs OS_PLACES_KEY")
        return OSPlacesLookup(settings.OS_PLACES_URL, settings.OS_PLACES_KEY)
    raise ImproperlyConfigured("ADDRESS_LOOKUP must be gazetteer or os_places")
