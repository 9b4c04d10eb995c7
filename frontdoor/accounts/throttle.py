"""Throttles for wrong passwords and wrong codes, shared by every app process (the cache).

Two counters per failure: a strict one per account + client address, and a loose one per
client address alone (a school or an NHS site puts hundreds of people behind one address).
Each counts failures in a sliding window; at the limit it locks until the window has
passed with no further failure. The account part is a hash of the email typed, so an
unknown email is throttled exactly like a known one and the lock says nothing about
whether an account exists. A password reset lifts the account's locks everywhere by
moving it to a new generation of counters.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from frontdoor.accounts.models import normalise_email

# Separate counters: someone locked out of signing in (perhaps by an attacker at the same
# school) can still reset their password, and the reset lifts the sign-in lock.
SIGN_IN = "signin"
RESET = "reset"


@dataclass(frozen=True)
class Lock:
    minutes: int


def _account(email: str) -> str:
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]
    generation = cache.get(f"throttle:gen:{digest}", 0)
    return f"{digest}:{generation}"


def _keys(email: str, ip: str | None, scope: str) -> tuple[str, str]:
    address = ip or "unknown"
    return (
        f"throttle:{scope}:acct:{_account(email)}:{address}",
        f"throttle:{scope}:ip:{address}",
    )


def _window() -> int:
    return settings.THROTTLE_LOCK_MINUTES * 60


def _count(entry: object, now: float) -> int:
    # Each counter holds its count and when its window ends. The end is kept in the value,
    # not only as the cache's expiry, so every cache backend agrees on when a lock ends.
    if isinstance(entry, dict) and now < entry.get("until", 0):
        return int(entry.get("n", 0))
    return 0


def check(email: str, ip: str | None, scope: str = SIGN_IN) -> Lock | None:
    """A Lock if this email from this address may not try again yet, else None."""
    account_key, address_key = _keys(email, ip, scope)
    entries = cache.get_many([account_key, address_key])
    now = time.time()
    if _count(entries.get(account_key), now) >= settings.THROTTLE_ACCOUNT_FREE_TRIES:
        return Lock(settings.THROTTLE_LOCK_MINUTES)
    if _count(entries.get(address_key), now) >= settings.THROTTLE_ADDRESS_FREE_TRIES:
        return Lock(settings.THROTTLE_LOCK_MINUTES)
    return None


def fail(email: str, ip: str | None, scope: str = SIGN_IN) -> bool:
    """Count a failure. True when this failure reached a limit (the lock begins)."""
    reached = False
    now = time.time()
    account_key, address_key = _keys(email, ip, scope)
    for key, limit in (
        (account_key, settings.THROTTLE_ACCOUNT_FREE_TRIES),
        (address_key, settings.THROTTLE_ADDRESS_FREE_TRIES),
    ):
        count = _count(cache.get(key), now) + 1
        # The window slides from the latest failure.
        cache.set(key, {"n": count, "until": now + _window()}, _window())
        reached = reached or count == limit
    return reached


def succeed(email: str, ip: str | None, scope: str = SIGN_IN) -> None:
    """A success clears the strict counter for this account and address."""
    account_key, _ = _keys(email, ip, scope)
    cache.delete(account_key)


def lift(email: str) -> None:
    """Lift every lock on the account, from every address (after a password reset)."""
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]
    key = f"throttle:gen:{digest}"
    cache.set(key, cache.get(key, 0) + 1, None)
