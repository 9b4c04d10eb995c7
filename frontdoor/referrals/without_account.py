"""Sending a form without an account (feedback): one page, no draft, no sender kept.

Anyone may send one, so sends are limited per client address: at most
WITHOUT_ACCOUNT_SENDS_PER_HOUR in each clock hour. The count lives in the cache under a
keyed hash of the address, in a bucket for the hour that expires when the hour ends, so
neither the address nor the time of a send can be read back from it.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from frontdoor.referrals.answers import SectionForm, section_form
from frontdoor.referrals.definitions import ROLES, Definition

HOUR = 3600


def form_class(definition: Definition) -> type[SectionForm] | None:
    """The page's form: the questions the definition asks without an account."""
    section = definition.without_account_section()
    if section is None:
        return None
    roles = tuple(role for role in ROLES if role != "professional")
    return section_form(section, roles, professional=False)


def may_send(ip: str | None) -> bool:
    """Count a send from this address; False once the hour's limit is passed."""
    now = int(timezone.now().timestamp())
    bucket = now // HOUR
    address = salted_hmac(
        "frontdoor.without_account", ip or "unknown", algorithm="sha256"
    ).hexdigest()[:32]
    key = f"without-account:{address}:{bucket}"
    # Expires at the end of its hour (and a minute), whenever the first send came.
    until_hour_ends = (bucket + 1) * HOUR - now + 60
    cache.add(key, 0, timeout=until_hour_ends)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=until_hour_ends)
        count = 1
    # The database cache's incr() writes the default expiry (5 minutes): put it back.
    cache.touch(key, timeout=until_hour_ends)
    return count <= settings.WITHOUT_ACCOUNT_SENDS_PER_HOUR


def page_key(value: str | None) -> uuid.UUID:
    """The page's one-time key as sent back, or a new one if it is missing or not a key."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.uuid4()
