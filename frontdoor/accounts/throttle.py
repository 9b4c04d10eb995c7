"""Throttles for passwords and codes, shared by every app process (a database table).

Every try is recorded *before* the password or code is checked, and refused if the
recent failures already reach a limit: parallel requests cannot slip past the count, and
a locked account costs no password hashing. A try that succeeds removes the strict
counter; a failed one stays as a failure for THROTTLE_LOCK_MINUTES.

Two limits: a strict one per account + client address, and a loose one per client address
alone (a school or an NHS site puts hundreds of people behind one address). Both count
failures in the last THROTTLE_LOCK_MINUTES, so a lock ends that long after the failures
stop, and a trickle of typos over a day never adds up. The account is a hash of the email
typed, so an unknown email is throttled exactly like a known one and a lock says nothing
about whether an account exists.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
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
    """A try in progress: `locked` means it must be refused without checking anything."""

    event: ThrottleEvent | None
    locked: bool = False
    reached_limit: bool = False

    def forgive(self) -> None:
        """This try was not a failure (the right password): it does not count."""
        if self.event is not None:
            self.event.delete()


def account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def _recent(scope: str, ip: str) -> QuerySet[ThrottleEvent]:
    since = timezone.now() - timedelta(minutes=settings.THROTTLE_LOCK_MINUTES)
    return ThrottleEvent.objects.filter(scope=scope, ip=ip, at__gte=since)


def attempt(email: str, ip: str | None, scope: str = SIGN_IN) -> Attempt:
    """Record a try for this email from this address, or refuse it if locked."""
    address = ip or "unknown"
    key = account_key(email)
    event = ThrottleEvent.objects.create(scope=scope, account=key, ip=address)
    recent = _recent(scope, address)
    # Counted after recording, so two parallel tries each see the other.
    account_count = recent.filter(account=key, pk__lte=event.pk).count()
    address_count = recent.filter(pk__lte=event.pk).count()
    if (
        account_count > settings.THROTTLE_ACCOUNT_FREE_TRIES
        or address_count > settings.THROTTLE_ADDRESS_FREE_TRIES
    ):
        # Refused tries do not extend the lock: the owner gets in when it ends.
        event.delete()
        return Attempt(None, locked=True)
    reached = (
        account_count == settings.THROTTLE_ACCOUNT_FREE_TRIES
        or address_count == settings.THROTTLE_ADDRESS_FREE_TRIES
    )
    return Attempt(event, reached_limit=reached)


def succeeded(email: str, ip: str | None, scope: str = SIGN_IN) -> None:
    """The right password or code: forget this account's failures from this address."""
    ThrottleEvent.objects.filter(
        scope=scope, account=account_key(email), ip=ip or "unknown"
    ).delete()


def lift(email: str) -> None:
    """Lift every lock on the account, from every address (after a password reset)."""
    ThrottleEvent.objects.filter(account=account_key(email)).delete()


def forget_old() -> int:
    """Remove records too old to count (a scheduled job)."""
    cutoff = timezone.now() - timedelta(minutes=settings.THROTTLE_LOCK_MINUTES)
    deleted, _ = ThrottleEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
