"""The named operations on accounts. Views, commands and tests all call these.

Every operation that changes or proves something about an account writes an audit event
here, not in the view, so no path through the portal can forget it.
"""

import enum
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from frontdoor.accounts import throttle
from frontdoor.accounts.models import Membership, OneTimeCode, Team, User, normalise_email
from frontdoor.accounts.passwords import remember_password
from frontdoor.addresses.models import Address
from frontdoor.audit.services import record
from frontdoor.notifications.services import send

Purpose = OneTimeCode.Purpose


class CodeResult(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"  # no usable code: expired, used, cancelled or out of tries
    USED = "used"  # the right code, already used by a request a moment earlier
    TOO_MANY_TRIES = "too_many_tries"
    LOCKED = "locked"
    WAIT = "wait"  # a busy client address: try again in a few seconds (throttle.py)


# --- Codes ------------------------------------------------------------------------------


def request_code(
    user: User,
    purpose: str,
    sent_to: str | None = None,
    ip: str | None = None,
    *,
    limited: bool = True,
) -> bool:
    """Cancel the account's live codes for this purpose and queue a new one.

    At most one a minute for the same address and purpose (False when refused: the code
    sent before still works), so nobody can flood an inbox through the portal. Signing in
    is not `limited` (the password was right, and someone may sign in twice in a minute)
    but still starts the minute for "send me a new code". The worker makes the code and
    emails it (accounts/tasks.py): the code exists in plain text only in that email.
    """
    from frontdoor.accounts.tasks import send_code

    address = sent_to or user.email
    key = f"{address}:{purpose}"
    if limited and not resend_allowed(key):
        return False
    if not limited:
        cache.set(
            f"resend:{key}",
            time.time() + settings.CODE_RESEND_SECONDS,
            settings.CODE_RESEND_SECONDS,
        )
    with transaction.atomic():
        cancel_codes(user, purpose)
        send_code.enqueue(user_id=user.pk, purpose=purpose, sent_to=address)
        record("code.sent", actor=user, ip=ip, purpose=purpose)
    return True


def cancel_codes(user: User, purpose: str) -> None:
    OneTimeCode.objects.filter(user=user, purpose=purpose, used_at=None, cancelled_at=None).update(
        cancelled_at=timezone.now()
    )


def resend_allowed(key: str) -> bool:
    """True at most once a minute for the same key (an address and what is sent to it)."""
    # The minute's end is kept in the value, not only as the cache's expiry, so every
    # cache backend (and a test's clock) agrees on when it has passed.
    now = time.time()
    until = now + settings.CODE_RESEND_SECONDS
    if cache.add(f"resend:{key}", until, settings.CODE_RESEND_SECONDS):
        return True
    if cache.get(f"resend:{key}", 0) <= now:
        cache.set(f"resend:{key}", until, settings.CODE_RESEND_SECONDS)
        return True
    return False


def check_code(
    user: User | None, purpose: str, code: str, *, email: str, ip: str | None
) -> CodeResult:
    """Check a code typed by someone; `email` is the account they claim, for throttling.

    `user` is None when the email has no account: the answer is then WRONG, exactly as
    for a wrong code, so the page says nothing about whether the account exists.
    """
    scope = throttle.RESET if purpose == Purpose.PASSWORD_RESET else throttle.SIGN_IN
    attempt = throttle.attempt(email, ip, scope)
    if attempt.locked:
        record("code.throttled", actor=user, ip=ip, purpose=purpose)
        return CodeResult.LOCKED
    if attempt.wait_seconds:
        record("code.slowed", ip=ip, purpose=purpose, seconds=attempt.wait_seconds)
        return CodeResult.WAIT
    live = None
    if user is not None:
        live = (
            OneTimeCode.objects.filter(user=user, purpose=purpose, used_at=None, cancelled_at=None)
            .order_by("-created_at")
            .first()
        )
    result = _use(live, code)
    if result is CodeResult.OK:
        throttle.succeeded(email, ip, scope)
        return result
    if result is CodeResult.USED:
        # The right code, a moment after another request used it (a double click): not a
        # wrong try, and nothing to count against the owner.
        attempt.forgive()
        return CodeResult.EXPIRED
    record("code.failed", actor=user, ip=ip, purpose=purpose, reason=result.value)
    if attempt.reached_limit:
        record("account.locked", actor=user, ip=ip, reason="codes")
    return result


def _use(live: OneTimeCode | None, code: str) -> CodeResult:
    if live is None:
        return CodeResult.WRONG
    now = timezone.now()
    # Take one try before comparing, in one conditional update: parallel guesses cannot
    # get more than CODE_MAX_ATTEMPTS tries at a code between them.
    taken = OneTimeCode.objects.filter(
        pk=live.pk,
        used_at=None,
        cancelled_at=None,
        expires_at__gt=now,
        tries__lt=settings.CODE_MAX_ATTEMPTS,
    ).update(tries=F("tries") + 1)
    if not taken:
        live.refresh_from_db(fields=["tries"])
        if live.tries >= settings.CODE_MAX_ATTEMPTS:
            return CodeResult.TOO_MANY_TRIES
        return CodeResult.EXPIRED
    if not live.matches("".join((code or "").split())):
        return CodeResult.WRONG
    used = OneTimeCode.objects.filter(pk=live.pk, used_at=None).update(used_at=now)
    return CodeResult.OK if used else CodeResult.USED


def check_current_password(user: User, password: str, ip: str | None) -> CodeResult:
    """Check a signed-in user's password before a change (email, password): throttled too."""
    attempt = throttle.attempt(user.email, ip)
    if attempt.locked:
        record("password.check_throttled", actor=user, ip=ip)
        return CodeResult.LOCKED
    if attempt.wait_seconds:
        record("password.check_slowed", actor=user, ip=ip, seconds=attempt.wait_seconds)
        return CodeResult.WAIT
    if user.check_password(password):
        attempt.forgive()
        return CodeResult.OK
    record("password.check_failed", actor=user, ip=ip)
    if attempt.reached_limit:
        record("account.locked", actor=user, ip=ip, reason="passwords")
    return CodeResult.WRONG


# --- Registration -----------------------------------------------------------------------


def register(details: dict[str, Any], email: str, password: str, ip: str | None) -> None:
    """Create an account that cannot sign in until the code emailed to it is entered.

    The page after this is the same whatever happens here (no account enumeration):
    - a new email: a new unverified account and a code;
    - an email with an unverified account: the details and password are replaced (whoever
      can read that inbox owns it) and a fresh code is sent;
    - an email with a verified account: nothing changes; its owner is told by email.
    """
    email = normalise_email(email)
    address: Address = details.pop("address")
    try:
        _register(details, address, email, password, ip)
    except IntegrityError:
        # Two registrations for one new email at once (a double click): the other request
        # created the account a moment ago, so go round again and update it.
        _register(details, address, email, password, ip)


def _register(
    details: dict[str, Any], address: Address, email: str, password: str, ip: str | None
) -> None:
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email=email).first()
        if existing is not None and existing.is_verified:
            make_password(password)  # the same work as the other branches, so the same time
            if resend_allowed(f"{email}:account_exists"):
                send(existing.email, "account_exists", {"first_name": existing.first_name})
            record("account.register_existing", actor=existing, ip=ip)
            return
        user = existing or User(email=email)
        for name, value in details.items():
            setattr(user, name, value)
        user.address = address
        user.set_password(password)
        user.save()
        remember_password(user)
        record("account.registered", actor=user, ip=ip, again=existing is not None)
        request_code(user, Purpose.VERIFY_EMAIL, ip=ip)


def verify_email(email: str, code: str, ip: str | None) -> CodeResult:
    user = User.objects.filter(email=normalise_email(email), email_verified_at=None).first()
    result = check_code(user, Purpose.VERIFY_EMAIL, code, email=email, ip=ip)
    if result is CodeResult.OK and user is not None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        record("account.verified", actor=user, ip=ip)
    return result


def delete_unverified_accounts() -> int:
    """Accounts whose email was never verified are deleted after a week."""
    cutoff = timezone.now() - timedelta(days=settings.UNVERIFIED_ACCOUNT_DAYS)
    stale = User.objects.filter(email_verified_at=None, date_joined__lt=cutoff, is_staff=False)
    count = stale.count()
    if count:
        stale.delete()
        record("account.unverified_deleted", count=count)
    return count


# --- Signing in -------------------------------------------------------------------------


class SignIn(enum.Enum):
    CODE_SENT = "code_sent"
    FAILED = "failed"
    DEACTIVATED = "deactivated"
    LOCKED = "locked"
    WAIT = "wait"


def start_sign_in(email: str, password: str, ip: str | None) -> tuple[SignIn, User | None]:
    """Step 1: the password. On success a code is sent; the caller is not signed in yet.

    The throttle is checked before the password is hashed, so a locked attack costs us
    nothing. An account not yet verified is sent a sign-in code too: entering it proves
    the address, so it verifies the account as it signs in.
    """
    attempt = throttle.attempt(email, ip)
    if attempt.locked:
        record("signin.throttled", ip=ip)
        return SignIn.LOCKED, None
    if attempt.wait_seconds:
        record("signin.slowed", ip=ip, seconds=attempt.wait_seconds)
        return SignIn.WAIT, None
    user = authenticate(None, username=normalise_email(email), password=password)
    if not isinstance(user, User):
        known = User.objects.filter(email=normalise_email(email)).first()
        if known is not None and not known.is_active and known.check_password(password):
            # Only someone who knows the password learns the account is closed.
            record("signin.failed", actor=known, ip=ip, reason="deactivated")
            return SignIn.DEACTIVATED, None
        record("signin.failed", actor=known, ip=ip, reason="password")
        if attempt.reached_limit:
            record("account.locked", actor=known, ip=ip, reason="passwords")
        return SignIn.FAILED, None
    # The right password is not a failure; the strict counter clears with the right code.
    attempt.forgive()
    request_code(user, Purpose.SIGN_IN, ip=ip, limited=False)
    return SignIn.CODE_SENT, user


def finish_sign_in(user: User, code: str, ip: str | None) -> CodeResult:
    """Step 2: the emailed code. The caller signs the session in on OK."""
    result = check_code(user, Purpose.SIGN_IN, code, email=user.email, ip=ip)
    if result is CodeResult.OK:
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
            record("account.verified", actor=user, ip=ip)
        record("signin.succeeded", actor=user, ip=ip)
    return result


# --- Passwords --------------------------------------------------------------------------


def request_password_reset(email: str, ip: str | None) -> None:
    """A forgotten password: the worker emails a reset code if the email has an account.

    The request does the same work whatever the email (one task queued, nothing else), so
    neither its answer nor its time shows whether the account exists: the account is
    looked up, its codes cancelled and the request audited by the worker
    (`send_code_if_account`), at most one code a minute.
    """
    from frontdoor.accounts.tasks import send_code_if_account

    send_code_if_account.enqueue(
        email=normalise_email(email), purpose=Purpose.PASSWORD_RESET, ip=ip, limited=True
    )


def resend_claimed_code(email: str, purpose: str, ip: str | None) -> bool:
    """'Send me a new code' where the email is only claimed (registering, a reset).

    The same work for any email, as for a forgotten password: the minute's limit here (so
    the page can say whether a code is on its way), the rest in the worker.
    """
    from frontdoor.accounts.tasks import send_code_if_account

    email = normalise_email(email)
    if not resend_allowed(f"{email}:{purpose}"):
        return False
    send_code_if_account.enqueue(email=email, purpose=purpose, ip=ip, limited=False)
    return True


def send_code_if_account(email: str, purpose: str, ip: str | None, *, limited: bool) -> None:
    """In the worker: send a code for `purpose` to `email` if it has an account that needs one."""
    lookup = User.objects.filter(email=email, is_active=True)
    if purpose == Purpose.VERIFY_EMAIL:
        lookup = lookup.filter(email_verified_at=None)
    user = lookup.first()
    if purpose == Purpose.PASSWORD_RESET and limited:
        record("password.reset_requested", actor=user, ip=ip, known=user is not None)
    if user is not None:
        request_code(user, purpose, sent_to=email, ip=ip, limited=limited)


def check_reset_code(email: str, code: str, ip: str | None) -> tuple[CodeResult, User | None]:
    """Step 1 of a reset: the emailed code. Nothing about the account is looked at before."""
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    result = check_code(user, Purpose.PASSWORD_RESET, code, email=email, ip=ip)
    return result, user if result is CodeResult.OK else None


def reset_password(user: User, new_password: str, ip: str | None) -> None:
    """Step 2: the new password. Ends every session, lifts the locks, tells the owner.

    It does not sign anyone in: the next sign-in still needs a sign-in code.
    """
    with transaction.atomic():
        user.set_password(new_password)
        user.end_all_sessions()
        user.save(update_fields=["password", "session_token"])
        remember_password(user)
        throttle.lift(user.email)
        send(user.email, "password_changed", {"first_name": user.first_name})
        record("password.reset", actor=user, ip=ip)


def change_password(user: User, new_password: str, ip: str | None) -> None:
    """Change the password; every other session of the account ends (the caller keeps its own)."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        remember_password(user)
        send(user.email, "password_changed", {"first_name": user.first_name})
        record("password.changed", actor=user, ip=ip)


# --- Your details -----------------------------------------------------------------------


def update_details(user: User, details: dict[str, Any], ip: str | None) -> None:
    address: Address = details.pop("address")
    for name, value in details.items():
        setattr(user, name, value)
    user.address = address
    user.save()
    record("account.details_changed", actor=user, ip=ip, fields=sorted([*details, "address"]))


def request_email_change(user: User, new_email: str, ip: str | None) -> None:
    """Send a code to the new address; an address that has an account is told so instead."""
    new_email = normalise_email(new_email)
    with transaction.atomic():
        if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
            if resend_allowed(f"{new_email}:email_in_use"):
                send(new_email, "email_in_use", {})
            record("email.change_refused", actor=user, ip=ip, reason="in_use")
            return
        user.pending_email = new_email
        user.save(update_fields=["pending_email"])
        request_code(user, Purpose.CHANGE_EMAIL, sent_to=new_email, ip=ip)
        record("email.change_requested", actor=user, ip=ip)


def confirm_email_change(user: User, code: str, ip: str | None) -> CodeResult:
    if not user.pending_email:
        return CodeResult.EXPIRED
    result = check_code(user, Purpose.CHANGE_EMAIL, code, email=user.email, ip=ip)
    if result is not CodeResult.OK:
        return result
    old, new = user.email, user.pending_email
    try:
        with transaction.atomic():
            if User.objects.filter(email=new).exclude(pk=user.pk).exists():
                raise IntegrityError("taken")
            user.email, user.pending_email = new, ""
            user.save(update_fields=["email", "pending_email"])
            send(old, "email_changed", {"first_name": user.first_name})
            record("email.changed", actor=user, ip=ip)
    except IntegrityError:
        # Someone registered the new address after the code was sent.
        user.email, user.pending_email = old, ""
        User.objects.filter(pk=user.pk).update(pending_email="")
        record("email.change_refused", actor=user, ip=ip, reason="taken_meanwhile")
        return CodeResult.EXPIRED
    return result


# --- Staff ------------------------------------------------------------------------------


def create_staff(
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    teams: list[Team],
    managed: list[Team] | None = None,
    administrator: bool = False,
    created_by: User | None = None,
) -> User:
    """A council staff account (or an administrator), already verified: created by an admin."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            is_professional=True,
            is_staff=administrator,
            is_superuser=administrator,
            email_verified_at=timezone.now(),
        )
        remember_password(user)
        managed = managed or []
        for team in teams:
            role = Membership.Role.MANAGER if team in managed else Membership.Role.WORKER
            Membership.objects.create(user=user, team=team, role=role)
        record(
            "account.staff_created",
            actor=created_by,
            obj=user,
            teams=[team.slug for team in teams],
            manager_of=[team.slug for team in managed],
            administrator=administrator,
        )
    return user
