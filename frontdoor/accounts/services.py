"""The named operations on accounts. Views, commands and tests all call these.

Every operation that changes or proves something about an account writes an audit event
here, not in the view, so no path through the portal can forget it.
"""

import enum
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from frontdoor.accounts import throttle
from frontdoor.accounts.models import OneTimeCode, Team, User, normalise_email
from frontdoor.accounts.passwords import remember_password
from frontdoor.addresses.models import Address
from frontdoor.audit.services import record
from frontdoor.notifications.services import send

Purpose = OneTimeCode.Purpose


class CodeResult(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"  # no usable code: expired, used, cancelled or out of tries
    LOCKED = "locked"


# --- Codes ------------------------------------------------------------------------------


def request_code(
    user: User, purpose: str, sent_to: str | None = None, ip: str | None = None
) -> None:
    """Cancel the account's live codes for this purpose and queue a new one.

    The worker makes the code and emails it (accounts/tasks.py), so the code never
    exists in plain text anywhere but that email.
    """
    from frontdoor.accounts.tasks import send_code

    with transaction.atomic():
        cancel_codes(user, purpose)
        send_code.enqueue(user_id=user.pk, purpose=purpose, sent_to=sent_to or user.email)
        record("code.sent", actor=user, ip=ip, purpose=purpose)


def cancel_codes(user: User, purpose: str) -> None:
    OneTimeCode.objects.filter(user=user, purpose=purpose, used_at=None, cancelled_at=None).update(
        cancelled_at=timezone.now()
    )


def resend_allowed(key: str) -> bool:
    """At most one "send me a new code" a minute for the same account and purpose."""
    return cache.add(f"resend:{key}", 1, settings.CODE_RESEND_SECONDS)


def check_code(
    user: User | None, purpose: str, code: str, *, email: str, ip: str | None
) -> CodeResult:
    """Check a code typed by someone; `email` is the account they claim, for throttling.

    `user` is None when the email has no account: the answer is then WRONG, exactly as
    for a wrong code, so the page says nothing about whether the account exists.
    """
    scope = throttle.RESET if purpose == Purpose.PASSWORD_RESET else throttle.SIGN_IN
    if throttle.check(email, ip, scope):
        record("code.throttled", actor=user, ip=ip, purpose=purpose)
        return CodeResult.LOCKED
    live = None
    if user is not None:
        live = (
            OneTimeCode.objects.filter(user=user, purpose=purpose, used_at=None, cancelled_at=None)
            .order_by("-created_at")
            .first()
        )
    if live is not None and not live.usable:
        record("code.failed", actor=user, ip=ip, purpose=purpose, reason="expired")
        return CodeResult.EXPIRED
    typed = "".join((code or "").split())
    if live is not None and live.matches(typed):
        # Single use even under a double click: only one request can flip used_at.
        used = OneTimeCode.objects.filter(pk=live.pk, used_at=None).update(used_at=timezone.now())
        if used:
            throttle.succeed(email, ip, scope)
            return CodeResult.OK
    if live is not None:
        OneTimeCode.objects.filter(pk=live.pk).update(wrong_tries=live.wrong_tries + 1)
    record("code.failed", actor=user, ip=ip, purpose=purpose, reason="wrong")
    if throttle.fail(email, ip, scope):
        record("account.locked", actor=user, ip=ip, reason="codes")
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
    with transaction.atomic():
        existing = User.objects.select_for_update().filter(email=email).first()
        if existing is not None and existing.is_verified:
            make_password(password)  # the same work as the other branches, so the same time
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
    LOCKED = "locked"


def start_sign_in(email: str, password: str, ip: str | None) -> tuple[SignIn, User | None]:
    """Step 1: the password. On success a code is sent; the caller is not signed in yet.

    The throttle is checked before the password is hashed, so a locked attack costs us
    nothing. An account not yet verified is sent a sign-in code too: entering it proves
    the address, so it verifies the account as it signs in.
    """
    if throttle.check(email, ip):
        record("signin.throttled", ip=ip)
        return SignIn.LOCKED, None
    user = authenticate(None, username=normalise_email(email), password=password)
    if not isinstance(user, User):
        known = User.objects.filter(email=normalise_email(email)).first()
        record("signin.failed", actor=known, ip=ip, reason="password")
        if throttle.fail(email, ip):
            record("account.locked", actor=known, ip=ip, reason="passwords")
        return SignIn.FAILED, None
    request_code(user, Purpose.SIGN_IN, ip=ip)
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
    """Email a reset code if the email has an active account; otherwise do nothing visible."""
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    if user is None:
        record("password.reset_requested", ip=ip, known=False)
        return
    request_code(user, Purpose.PASSWORD_RESET, ip=ip)
    record("password.reset_requested", actor=user, ip=ip, known=True)


def reset_password(email: str, code: str, new_password: str, ip: str | None) -> CodeResult:
    """Set a new password with a reset code: ends every session, lifts locks, tells the owner.

    It does not sign anyone in: the next sign-in still needs a sign-in code.
    """
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    result = check_code(user, Purpose.PASSWORD_RESET, code, email=email, ip=ip)
    if result is CodeResult.OK and user is not None:
        with transaction.atomic():
            user.set_password(new_password)
            user.end_all_sessions()
            user.save(update_fields=["password", "session_token"])
            remember_password(user)
            throttle.lift(user.email)
            send(user.email, "password_changed", {"first_name": user.first_name})
            record("password.reset", actor=user, ip=ip)
    return result


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
    if result is CodeResult.OK:
        with transaction.atomic():
            old = user.email
            user.email = user.pending_email
            user.pending_email = ""
            user.save(update_fields=["email", "pending_email"])
            send(old, "email_changed", {"first_name": user.first_name})
            record("email.changed", actor=user, ip=ip)
    return result


# --- Staff ------------------------------------------------------------------------------


def create_staff(
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    teams: list[Team],
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
        user.teams.set(teams)
        record(
            "account.staff_created",
            actor=created_by,
            obj=user,
            teams=[team.slug for team in teams],
            administrator=administrator,
        )
    return user
