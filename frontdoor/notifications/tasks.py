import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from frontdoor.audit.services import record
from frontdoor.notifications.models import Email
from frontdoor.notifications.services import deliver_now

logger = logging.getLogger(__name__)


@task()
def deliver_email(
    to: str, template: str, context: dict[str, Any], attempt: int, email_id: int | None = None
) -> None:
    # `email_id` is the Email row send() made (None for a task queued before there were
    # any): each try is counted on it, and whether the email went or was given up.
    tracked = Email.objects.filter(pk=email_id) if email_id is not None else Email.objects.none()
    try:
        deliver_now(to, template, context)
    except Exception as error:
        # The mail server is down or refused: try again later rather than lose the email.
        # Only the error's kind is logged or stored: its text may name the recipient.
        kind = type(error).__name__
        delays = settings.EMAIL_RETRY_SECONDS
        if attempt >= len(delays):
            tracked.update(
                attempts=F("attempts") + 1, last_error_kind=kind[:100], failed_at=timezone.now()
            )
            # In the audit log too (template and error kind; never the address).
            record(
                "email.send_failed",
                obj=tracked.first(),
                template=template,
                attempts=attempt + 1,
                error=kind,
            )
            logger.error(
                "Gave up sending email %s after %d attempts (%s)", template, attempt + 1, kind
            )
            raise RuntimeError(f"Email {template} not sent after {attempt + 1} attempts") from None
        tracked.update(attempts=F("attempts") + 1, last_error_kind=kind[:100])
        logger.warning(
            "Email %s failed (%s); retrying in %d seconds", template, kind, delays[attempt]
        )
        deliver_email.using(run_after=timezone.now() + timedelta(seconds=delays[attempt])).enqueue(
            to=to, template=template, context=context, attempt=attempt + 1, email_id=email_id
        )
    else:
        tracked.update(attempts=F("attempts") + 1, sent_at=timezone.now())
