"""Keyed hashes of a child's identifiers, for finding re-referrals of a removed referral.

When retention removes a referral, its tombstone keeps, for each child it named, HMAC-SHA256
digests of the normalised identifiers the repeats finder matches on (people.same_child),
never the identifiers themselves. A new referral's children are hashed the same way and
looked up: an equal digest is the same child, by the same rules:

- `nhs:<number>`;
- `name:<surname key>|<date of birth>|<first-name key or an also-known-as key>` and
  `name3:<surname key>|<date of birth>|<first three letters of the first-name key>` (a
  first name that matches, shares its first three letters or matches an also-known-as
  name; only with a first name, as same_child);
- an unborn baby: `unborn:uprn:<uprn>|<day>` and `unborn:house:<postcode>|<house>|<day>`,
  stored for every day within DUE_DATE_WINDOW of its due date, looked up with the new
  baby's own due date (due within 4 weeks of each other, at the same address).

The key is derived from SECRET_KEY with a fixed salt (django.utils.crypto.salted_hmac): a
digest cannot be reversed, or tried against guessed names and dates, without it. A lookup
also tries SECRET_KEY_FALLBACKS, so rotating the key does not lose the matches before it.
A tombstone's keys are kept REPEATS_WINDOW (12 months) after its referral was removed,
then deleted (retention): a re-referral in that time is still found, however long the
team kept the referral before removing it (a year after closure, for a team without an
API, would otherwise leave no window at all).
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils.crypto import salted_hmac

from frontdoor.referrals.models import Person, Submission, Tombstone, TombstoneKey
from frontdoor.referrals.people import CHILDREN, DUE_DATE_WINDOW, _first_names

SALT = "frontdoor.referrals.tombstones.identifiers"
# How long after a referral's removal a re-referral of its child is still found.
REPEATS_WINDOW = datetime.timedelta(days=365)


def _identifiers(child: Person, *, stored: bool) -> list[str]:
    """What is hashed for a child: every day of the due-date window when `stored` (on the
    tombstone), the due date alone for a lookup."""
    if child.role not in CHILDREN:
        return []
    found = []
    if child.nhs_number:
        found.append(f"nhs:{child.nhs_number}")
    if child.last_key and child.date_of_birth and child.first_key:
        born = child.date_of_birth.isoformat()
        found.append(f"name3:{child.last_key}|{born}|{child.first_key[:3]}")
        found.extend(f"name:{child.last_key}|{born}|{key}" for key in sorted(_first_names(child)))
    if child.role == Person.Role.UNBORN and child.due_date:
        places = []
        if child.uprn:
            places.append(f"uprn:{child.uprn}")
        if child.postcode and child.house_key:
            places.append(f"house:{child.postcode}|{child.house_key}")
        if stored:
            window = DUE_DATE_WINDOW.days
            days = [child.due_date + datetime.timedelta(days=d) for d in range(-window, window + 1)]
        else:
            days = [child.due_date]
        found.extend(f"unborn:{place}|{day.isoformat()}" for place in places for day in days)
    return found


def _digest(value: str, secret: str) -> str:
    return salted_hmac(SALT, value, secret=secret, algorithm="sha256").hexdigest()


def stored_digests(children: Iterable[Person]) -> set[str]:
    """The digests a tombstone keeps for these people (those that are children)."""
    return {
        _digest(value, settings.SECRET_KEY)
        for child in children
        for value in _identifiers(child, stored=True)
    }


def lookup_digests(children: Iterable[Person]) -> set[str]:
    """The digests that find these children on tombstones (with every key in use)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return {
        _digest(value, secret)
        for child in children
        for value in _identifiers(child, stored=False)
        for secret in secrets
    }


def keep_keys(tombstone: Tombstone, children: Iterable[Person]) -> list[TombstoneKey]:
    return TombstoneKey.objects.bulk_create(
        TombstoneKey(tombstone=tombstone, digest=digest)
        for digest in sorted(stored_digests(children))
    )


def removed_repeats(submission: Submission) -> set[int]:
    """The ids of the tombstones naming one of this submission's children, of referrals
    removed within REPEATS_WINDOW before it was sent. One query (two without `people`
    prefetched)."""
    digests = lookup_digests(p for p in submission.people.all() if p.role in CHILDREN)
    if not digests:
        return set()
    return set(
        TombstoneKey.objects.filter(
            digest__in=digests,
            tombstone__deleted_at__gte=submission.sent_at - REPEATS_WINDOW,
        ).values_list("tombstone_id", flat=True)
    )
