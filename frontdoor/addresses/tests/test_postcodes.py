"""Postcodes: the normal form, and whether one is in the council's area."""

import pytest

from frontdoor.addresses.postcodes import in_council_area, normalise_postcode


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("wr52np", "WR5 2NP"), (" Wr5  2np ", "WR5 2NP"), ("dy101ff", "DY10 1FF"), ("WR3 8CC", None)],
)
def test_postcodes_are_normalised_or_refused(typed, normal):
    assert normalise_postcode(typed) == normal


@pytest.mark.parametrize(
    "postcode", ["WR5 2NP", "wr52np", "WR1 1AA", "WR10 1AB", "WR15 8AB", "B60 1AA", "DY14 9ZZ"]
)
def test_postcodes_in_worcestershire_by_default(postcode):
    assert in_council_area(postcode)


@pytest.mark.parametrize(
    "postcode", ["HR1 2AB", "B1 1AA", "B6 0AA", "WR16 1AA", "GL2 0AA", "DY1 1AA", "nonsense", ""]
)
def test_postcodes_outside_worcestershire_or_invalid(postcode):
    # Districts are whole outward codes: B6 is not B60, WR16 is not WR1.
    assert not in_council_area(postcode)


def test_the_area_is_configured_by_districts_and_sectors(settings):
    settings.COUNCIL_POSTCODE_DISTRICTS = ["HR1", "wr15 8"]

    assert in_council_area("HR1 2AB")
    assert in_council_area("WR15 8AB")
    assert not in_council_area("WR15 7AB")
    assert not in_council_area("WR5 2NP")


def test_no_area_configured_means_no_warning(settings):
    settings.COUNCIL_POSTCODE_DISTRICTS = []

    assert in_council_area("SW1A 2AA")
