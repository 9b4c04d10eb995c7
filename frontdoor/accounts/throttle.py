"""Throttles for passwords and codes, shared by every app process (a database table).

Every try is recorded *before* the password or code is checked, and refused if the
recent failures already reach a limit: parallel requests cannot slip past the count, and
a refused try costs no password hashing. A try that succeeds removes the strict counter;
a failed one stays as a failure for THROTTLE_LOCK_MINUTES.

Two limits, both on the failures of the last THROTTLE_LOCK_MINUTES:

- per account + client address, strict: after THROTTLE_ACCOUNT_FREE_TRIES failures the
  account is locked from that address until its failures are that old;
- per client address alone, loose, and a slowdown rather than a lock: a school or an NHS
  site puts hundreds of people behind one address, and one pupil guessing must not lock
  them all out. Past THROTTLE_ADDRESS_FREE_TRIES failures from an address, each account
  tried from it gets one checked try every N seconds (N doubles with each further
  THROTTLE_ADDRESS_FREE_TRIES failures, up to THROTTLE_ADDRESS_MAX_WAIT_SECONDS): its first
  try is answered "wait N seconds" at once (nothing sleeps in a web worker), and a right
  password or code is not made to wait for the next step.

The account is a hash of the email typed, so an unknown email is throttled exactly like a
known one and neither a lock nor a wait says whether an account exists.
"""

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from frontdoor.accounts.models import ThrottleEvent, normalise_email

# Separate counters: someone locked out of signing in (perhaps by an attacker at the same
# school) can still reset their password, and the reset lifts the sign-in lock.
SIGN_IN = "signin"
RESET = "reset"
SCOPES = (SIGN_IN, RESET)


@dataclass(frozen=True)
class Attempt:
    """A try in progress: `locked` or `wait_seconds` mean it must be refused unchecked."""

    event: ThrottleEvent | None
    locked: bool = False
    reached_limit: bool = False
    wait_seconds: int = 0
    slow_key: str | None = None

    def forgive(self) -> None:
        """This try was not a failure (the right password): it does not count."""
        if self.event is not None:
            self.event.delete()
        if self.slow_key is not None:
            _let_through(self.slow_key)


def account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def address_wait_seconds(failures: int) -> int:
    """How long an account waits between tries from an address with this many failures."""
    free = settings.THROTTLE_ADDRESS_FREE_TRIES
    doublings = max(0, failures - free - 1) // max(free, 1)
    wait: int = settings.THROTTLE_ADDRESS_WAIT_SECONDS * 2 ** min(doublings, 30)
    return min(wait, settings.THROTTLE_ADDRESS_MAX_WAIT_SECONDS)


def _recent(scope: str, ip: str) -> QuerySet[ThrottleEvent]:
    since = timezone.now() - timedelta(minutes=settings.THROTTLE_LOCK_MINUTES)
    return ThrottleEvent.objects.filter(scope=scope, ip=ip, at__gte=since)


def _slow_key(scope: str, address: str, account: str) -> str:
    return f"throttle-next-try:{scope}:{address}:{account}"


def _let_through(key: str) -> None:
    # The next try (the code after a right password) may come at once.
    cache.set(key, 0.0, settings.THROTTLE_LOCK_MINUTES * 60)


def attempt(email: str, ip: str | None, scope: str = SIGN_IN) -> Attempt:
    """Record a try for this email from this address, or refuse it (locked, or wait)."""
    address = ip or "unknown"
    key = account_key(email)
    event = ThrottleEvent.objects.create(scope=scope, account=key, ip=address)
    recent = _recent(scope, address)
    # Counted after recording, so two parallel tries each see the other.
    account_count = recent.filter(account=key, pk__lte=event.pk).count()
    if account_count > settings.THROTTLE_ACCOUNT_FREE_TRIES:
        # Refused tries do not extend the lock: the owner gets in when it ends.
        event.delete()
        return Attempt(None, locked=True)
    reached = account_count == settings.THROTTLE_ACCOUNT_FREE_TRIES
    address_count = recent.filter(pk__lte=event.pk).count()
    if address_count <= settings.THROTTLE_ADDRESS_FREE_TRIES:
        return Attempt(event, reached_limit=reached)
    # A busy address: this account's tries from it are spaced out, not refused for good.
    slow_key = _slow_key(scope, address, key)
    wait = address_wait_seconds(address_count)
    now = time.time()
    next_try: float | None = cache.get(slow_key)
    if next_try is None or next_try > now:
        event.delete()  # a try answered "wait" is no failure, and costs no hashing
        if next_try is None:
            next_try = now + wait
            cache.set(slow_key, next_try, settings.THROTTLE_LOCK_MINUTES * 60)
        return Attempt(None, wait_seconds=max(1, math.ceil(next_try - now)))
    cache.set(slow_key, now + wait, settings.THROTTLE_LOCK_MINUTES * 60)
    return Attempt(event, reached_limit=reached, slow_key=slow_key)


def seconds_to_wait(email: str, ip: str | None, scope: str = SIGN_IN) -> int:
    """For the page after a try answered "wait": how many seconds are left."""
    next_try = cache.get(_slow_key(scope, ip or "unknown", account_key(email)))
    return max(1, math.ceil(next_try - time.time())) if next_try else 1


def succeeded(email: str, ip: str | None, scope: str = SIGN_IN) -> None:
    """The right password or code: forget this account's failures from this address."""
    address = ip or "unknown"
    key = account_key(email)
    ThrottleEvent.objects.filter(scope=scope, account=key, ip=address).delete()
    slow_key = _slow_key(scope, address, key)
    if cache.get(slow_key) is not None:
        _let_through(slow_key)


def lift(email: str) -> None:
    """Lift every lock on the account, from every address (after a password reset)."""
    ThrottleEvent.objects.filter(account=account_key(email)).delete()


def forget_old() -> int:
    """Remove records too old to count (a scheduled job)."""
    cutoff = timezone.now() - timedelta(minutes=settings.THROTTLE_LOCK_MINUTES)
    deleted, _ = ThrottleEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
