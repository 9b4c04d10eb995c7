import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from frontdoor.accounts.models import OneTimeCode, User
from frontdoor.audit.services import record
from frontdoor.notifications.services import deliver_now

logger = logging.getLogger(__name__)


@task()
def send_code(user_id: int, purpose: str, sent_to: str) -> None:
    """Make a one-time code and email it. Runs in the worker: the code lives only in the email."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    minutes = (
        settings.PASSWORD_RESET_VALID_MINUTES
        if purpose == OneTimeCode.Purpose.PASSWORD_RESET
        else settings.CODE_VALID_MINUTES
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        # The newest request wins, even if two sends were queued close together.
        OneTimeCode.objects.filter(
            user=user, purpose=purpose, used_at=None, cancelled_at=None
        ).update(cancelled_at=now)
        made = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            code_hash=OneTimeCode.hash(code),
            sent_to=sent_to,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    # Sent after the commit: a slow mail server must not hold the database.
    try:
        deliver_now(
            sent_to,
            "code",
            {
                "first_name": user.first_name,
                "code": code,
                "purpose": purpose,
                "minutes": minutes,
            },
        )
    except Exception as error:
        # Nobody received this code: cancel it, and say so without the address (the
        # error's text may contain it). The user can ask for a new code.
        OneTimeCode.objects.filter(pk=made.pk).update(cancelled_at=timezone.now())
        record("code.send_failed", actor=user, purpose=purpose, error=type(error).__name__)
        logger.error("Could not send a %s code (%s)", purpose, type(error).__name__)
        raise RuntimeError(f"A {purpose} code could not be sent") from None


@task()
def send_code_if_account(email: str, purpose: str, ip: str | None, limited: bool) -> None:
    """Whether the email has an account is found out here, not in the request (no oracle)."""
    from frontdoor.accounts.services import send_code_if_account as send

    send(email, purpose, ip, limited=limited)


@task()
def delete_unverified_accounts() -> int:
    from frontdoor.accounts.services import delete_unverified_accounts as delete

    return delete()
