"""The OS Places provider against a real local HTTP server in OS Places' published format."""

import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from frontdoor.addresses.lookup import (
    GazetteerLookup,
    LookupUnavailable,
    OSPlacesLookup,
    get_lookup,
)
from frontdoor.addresses.models import Address
from frontdoor.addresses.tests.os_places_server import OSPlacesServer
from tests.smtp_server import free_port


def lookup_for(server: OSPlacesServer, **options: Any) -> OSPlacesLookup:
    return OSPlacesLookup(server.url, server.key, **options)


def test_addresses_are_mapped_from_dpa_records_with_their_uprn_in_natural_order(os_places):
    addresses = lookup_for(os_places).find("wr11aa")

    assert [(a.property_name, a.house) for a in addresses] == [
        ("Fictional Road Surgery", "2"),
        ("", "10"),
        ("", "12"),
        ("Flat 1, Riverside House", "16"),
        ("Flat 2, Riverside House", "16"),
        ("Flat 10, Riverside House", "16"),
        ("", "Rose Cottage"),
    ]
    assert addresses[2] == Address(
        house="12",
        street="Fictional Road",
        town="Worcester",
        postcode="WR1 1AA",
        uprn="900000000112",
    )
    assert addresses[-1].area == "St Johns"
    assert addresses[-1].joined() == "Rose Cottage Fictional Road, St Johns, Worcester, WR1 1AA"


def test_the_request_is_the_documented_one_with_the_key_in_a_header(os_places):
    lookup_for(os_places).find("wr1 1aa")

    [request] = os_places.requests
    assert request["path"] == "/search/places/v1/postcode"
    assert request["query"] == {
        "postcode": "WR1 1AA",
        "dataset": "DPA",
        "maxresults": "100",
        "offset": "0",
    }
    assert request["key"] == os_places.key


@pytest.mark.parametrize(
    ("house", "expected"),
    [
        ("12", ["12"]),
        ("16", ["Flat 1, Riverside House", "Flat 2, Riverside House", "Flat 10, Riverside House"]),
        ("flat 2", ["Flat 2, Riverside House"]),
        (
            "RIVERSIDE house",
            ["Flat 1, Riverside House", "Flat 2, Riverside House", "Flat 10, Riverside House"],
        ),
        ("rose cottage", ["Rose Cottage"]),
        ("surgery", ["Fictional Road Surgery"]),
    ],
)
def test_the_house_number_or_name_narrows_the_list(os_places, house, expected):
    addresses = lookup_for(os_places).find("WR1 1AA", house)

    assert [a.property_name or a.house for a in addresses] == expected


def test_a_house_that_matches_nothing_gives_every_address_at_the_postcode(os_places):
    assert len(lookup_for(os_places).find("WR1 1AA", "99")) == 7
    assert len(lookup_for(os_places).find("WR1 1AA", "1")) == 7  # not 10, not Flat 1
    assert len(lookup_for(os_places).find("WR1 1AA", "Nowhere Hall")) == 7


def test_a_postcode_without_addresses_gives_an_empty_list(os_places):
    # OS answers a header with totalresults 0 and no "results" at all.
    assert lookup_for(os_places).find("WR99 9ZZ") == []
    assert (
        "results"
        not in os_places.answer(
            "/search/places/v1/postcode", {"postcode": "WR99 9ZZ"}, os_places.key
        )[1]
    )


def test_an_invalid_postcode_is_not_sent(os_places):
    assert lookup_for(os_places).find("not a postcode") == []
    assert os_places.requests == []


def test_long_postcodes_are_read_page_by_page(os_places):
    addresses = lookup_for(os_places, page_size=3).find("WR1 1AA")

    assert len(addresses) == 7
    assert len({a.uprn for a in addresses}) == 7
    assert [r["query"]["offset"] for r in os_places.requests] == ["0", "3", "6"]
    assert {r["query"]["maxresults"] for r in os_places.requests} == {"3"}


def test_a_wrong_key_is_unavailable_and_neither_key_nor_postcode_is_logged(os_places, caplog):
    lookup = OSPlacesLookup(os_places.url, "wrong-key-0123456789")

    with caplog.at_level(logging.DEBUG), pytest.raises(LookupUnavailable) as raised:
        lookup.find("WR1 1AA")

    assert "401" in str(raised.value)
    assert "HTTP 401" in caplog.text
    for secret in ("wrong-key-0123456789", "WR1 1AA", "WR1%201AA", "WR1+1AA"):
        assert secret not in caplog.text
        assert secret not in str(raised.value)
    assert raised.value.__cause__ is None  # the URL, with the postcode, is not chained
    assert raised.value.__suppress_context__


@pytest.mark.parametrize("status", [403, 500, 503])
def test_a_refusal_or_server_error_is_unavailable(os_places, status, caplog):
    os_places.status = status

    with pytest.raises(LookupUnavailable):
        lookup_for(os_places).find("WR1 1AA")

    assert f"HTTP {status}" in caplog.text
    assert os_places.key not in caplog.text


def test_a_server_that_is_down_is_unavailable(caplog):
    lookup = OSPlacesLookup(f"http://127.0.0.1:{free_port()}/search/places/v1", "some-key")

    with pytest.raises(LookupUnavailable):
        lookup.find("WR1 1AA")

    assert "ConnectionRefusedError" in caplog.text


def test_a_server_that_does_not_answer_in_time_is_unavailable(os_places):
    os_places.delay = 1.0

    with pytest.raises(LookupUnavailable, match="TimeoutError"):
        lookup_for(os_places, timeout=0.2).find("WR1 1AA")


def test_the_provider_is_chosen_by_settings(os_places, settings):
    settings.ADDRESS_LOOKUP = "os_places"
    settings.OS_PLACES_URL = os_places.url
    settings.OS_PLACES_KEY = os_places.key

    lookup = get_lookup()

    assert isinstance(lookup, OSPlacesLookup)
    assert lookup.timeout == 5
    assert lookup.find("WR11AA", "12")[0].uprn == "900000000112"

    settings.OS_PLACES_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="OS_PLACES_KEY"):
        get_lookup()
    settings.ADDRESS_LOOKUP = "gazetteer"
    assert isinstance(get_lookup(), GazetteerLookup)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"ADDRESS_LOOKUP": "os_places", "OS_PLACES_KEY": ""}, "needs OS_PLACES_KEY"),
        ({"ADDRESS_LOOKUP": "postcodes.io"}, "must be gazetteer or os_places"),
    ],
)
def test_a_wrong_choice_stops_the_portal_at_start_up(environment, message):
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "frontdoor.settings_test"} | environment

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert message in result.stderr
