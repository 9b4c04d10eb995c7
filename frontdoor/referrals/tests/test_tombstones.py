"""Tombstones' keyed hashes (referrals/tombstones.py): a removed referral's child is found
again by a new referral's same child, by exactly the repeats finder's rules
(people.same_child), from HMAC-SHA256 digests that keep no name or date in clear."""

import datetime
import itertools

import pytest

from frontdoor.referrals.models import Person
from frontdoor.referrals.people import aka_keys, normalise, same_child
from frontdoor.referrals.tombstones import lookup_digests, stored_digests

BORN = datetime.date(2015, 9, 30)
DUE = datetime.date(2027, 1, 14)


def kid(
    first: str = "",
    last: str = "",
    born: datetime.date | None = None,
    *,
    aka: str = "",
    nhs: str = "",
    due: datetime.date | None = None,
    uprn: str = "",
    postcode: str = "",
    house: str = "",
    role: str = "",
) -> Person:
    return Person(
        role=role or (Person.Role.UNBORN if due else Person.Role.CHILD),
        first_key=normalise(first),
        last_key=normalise(last),
        aka_keys=" ".join(aka_keys(aka)),
        date_of_birth=born,
        due_date=due,
        nhs_number=nhs,
        uprn=uprn,
        postcode=postcode,
        house_key=normalise(house),
    )


PEOPLE = [
    kid("Zoë", "Smith-Jones", BORN),
    kid("zoe", "SMITHJONES", BORN),
    kid("Jon", "O'Neill", BORN),
    kid("Jonathan", "ONeill", BORN),
    kid("Elizabeth", "Kowalski", BORN, aka="Beth"),
    kid("Beth", "Kowalski", BORN),
    kid("Mohammed", "Khan", BORN),
    kid("Mohammad", "Khan", BORN),
    kid("Ava", "Smith", BORN),
    kid("Ben", "Smith", BORN),
    kid("Ava", "Smith", datetime.date(2015, 9, 29)),
    kid("Ava", "Smyth", BORN),
    kid("Al", "Smith", BORN),
    kid("Alan", "Smith", BORN),
    kid("", "Smith", BORN, aka="Ava"),
    kid("Ava", "Example", BORN, nhs="9434765919"),
    kid("Eva", "Jones", datetime.date(2015, 9, 13), nhs="9434765919"),
    kid("Ava", "Jones", datetime.date(2014, 1, 1), nhs="4010232137"),
    kid("Baby", "Nowak", due=DUE, uprn="100120654321"),
    kid("Baby", "Nowak", due=DUE + datetime.timedelta(days=28), uprn="100120654321"),
    kid("Baby", "Nowak", due=DUE + datetime.timedelta(days=29), uprn="100120654321"),
    kid("Baby", "Nowak", due=DUE - datetime.timedelta(days=13), postcode="WR1 2AB", house="3"),
    kid("Baby", "Nowak", due=DUE, postcode="WR1 2AB", house="3"),
    kid("Baby", "Nowak", due=DUE, postcode="WR1 2AB", house="5"),
    kid("Ava", "Smith", BORN, nhs="9434765919", role=Person.Role.PARENT_CARER),
]


@pytest.mark.parametrize(("one", "other"), list(itertools.permutations(range(len(PEOPLE)), 2)))
def test_a_tombstone_finds_a_child_exactly_when_the_repeats_finder_would(one, other):
    removed, new = PEOPLE[one], PEOPLE[other]
    found = bool(stored_digests([removed]) & lookup_digests([new]))
    assert found == same_child(removed, new)


def test_the_same_pairs_include_matches_and_misses():
    pairs = list(itertools.permutations(PEOPLE, 2))
    assert sum(same_child(a, b) for a, b in pairs) >= 12
    assert sum(not same_child(a, b) for a, b in pairs) >= 100


def test_digests_are_keyed_hashes_with_no_name_or_date_in_them(settings):
    child = kid("Ava", "Smith", BORN, nhs="9434765919", aka="Avie")
    digests = stored_digests([child])
    assert digests
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in digests)
    assert not any(
        text in digest for digest in digests for text in ("ava", "smith", "2015", "9434765919")
    )
    # Another key: other digests (they cannot be tried against guesses without it).
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert not stored_digests([child]) & digests


def test_a_lookup_also_tries_the_previous_key_after_a_rotation(settings):
    child = kid("Ava", "Smith", BORN)
    before = stored_digests([child])
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-key-" + "y" * 50
    assert lookup_digests([child]) & before
