"""The local gazetteer: the sample that ships, and look-ups in it."""

import csv

import pytest
from django.core.management import call_command

from frontdoor.addresses.lookup import GazetteerLookup, get_lookup
from frontdoor.addresses.management.commands.load_gazetteer import SAMPLE
from frontdoor.addresses.models import Address, GazetteerAddress, tidy
from frontdoor.addresses.postcodes import in_council_area

pytestmark = pytest.mark.django_db

COUNTY_HALL = Address(
    property_name="Worcestershire County Council",
    house="County Hall",
    street="Spetchley Road",
    town="Worcester",
    postcode="WR5 2NP",
    uprn="900000000001",
)


@pytest.fixture
def sample() -> None:
    call_command("load_gazetteer", "--sample", verbosity=0)


def test_county_hall_is_found_by_a_postcode_typed_any_way(sample):
    assert get_lookup().find("wr52np") == [COUNTY_HALL]
    assert get_lookup().find(" Wr5  2np ", house="county hall") == [COUNTY_HALL]
    assert COUNTY_HALL.joined() == (
        "Worcestershire County Council, County Hall Spetchley Road, Worcester, WR5 2NP"
    )


def test_a_postcode_lists_its_addresses_in_natural_order(sample):
    addresses = GazetteerLookup().find("WR1 1AA")

    assert [(a.property_name, a.house) for a in addresses] == [
        ("", "2"),
        ("", "4"),
        ("", "6"),
        ("", "8"),
        ("", "10"),
        ("", "12"),
        ("", "14"),
        ("Flat 1, Riverside House", "16"),
        ("Flat 2, Riverside House", "16"),
        ("Flat 3, Riverside House", "16"),
        ("", "Rose Cottage"),
    ]
    assert all(a.street == "Fictional Road" and a.town == "Worcester" for a in addresses)


def test_the_house_number_or_name_narrows_the_list(sample):
    [twelve] = GazetteerLookup().find("WR1 1AA", "12")
    assert twelve == Address(
        house="12", street="Fictional Road", town="Worcester", postcode="WR1 1AA", uprn=twelve.uprn
    )
    assert twelve.uprn.startswith("9000000000")
    assert [a.property_name for a in GazetteerLookup().find("WR1 1AA", "FLAT 2")] == [
        "Flat 2, Riverside House"
    ]
    assert len(GazetteerLookup().find("WR1 1AA", "riverside house")) == 3
    assert [a.property_name for a in GazetteerLookup().find("WR3 8HH", "primary school")] == [
        "Riverside Primary School"
    ]
    [flat] = GazetteerLookup().find("WR2 4BB", "flat b")
    assert (flat.property_name, flat.house, flat.area) == ("Flat B", "13", "St Johns")


def test_a_house_that_matches_nothing_gives_every_address_at_the_postcode(sample):
    assert len(GazetteerLookup().find("WR1 1AA", "99")) == 11


def test_an_unknown_or_invalid_postcode_finds_nothing(sample):
    assert GazetteerLookup().find("WR99 9ZZ") == []
    assert GazetteerLookup().find("not a postcode") == []
    assert GazetteerLookup().find("") == []


def test_loading_the_sample_again_changes_nothing(sample, capsys):
    before = list(GazetteerAddress.objects.order_by("uprn").values())

    call_command("load_gazetteer", "--sample")

    assert list(GazetteerAddress.objects.order_by("uprn").values()) == before
    assert "57 rows read, 57 loaded, 0 skipped" in capsys.readouterr().out


def test_the_sample_is_fictional_and_in_the_default_council_area():
    with SAMPLE.open(newline="") as file:
        rows = list(csv.DictReader(file))

    postcodes = {row["POSTCODE"] for row in rows}
    assert 30 <= len(rows) <= 60
    assert len(postcodes) >= 6
    assert all(row["UPRN"].startswith("9000000000") for row in rows)
    assert len({row["UPRN"] for row in rows}) == len(rows)
    assert all(in_council_area(postcode) for postcode in postcodes)
    assert any(row["SUB_BUILDING_NAME"] for row in rows)
    assert any(row["ORGANISATION_NAME"] == "RIVERSIDE PRIMARY SCHOOL" for row in rows)


@pytest.mark.parametrize(
    ("supplied", "shown"),
    [
        ("ST. JOHN'S ROAD", "St. John's Road"),
        ("UPTON UPON SEVERN", "Upton upon Severn"),
        ("STRATFORD-UPON-AVON", "Stratford-upon-Avon"),
        ("12A", "12A"),
        ("1ST FLOOR FLAT", "1st Floor Flat"),
        ("THE OLD FORGE", "The Old Forge"),
        ("Riverside Primary School", "Riverside Primary School"),
        ("  FLAT  2 ", "Flat 2"),
    ],
)
def test_names_in_capitals_are_shown_in_title_case(supplied, shown):
    assert tidy(supplied) == shown
