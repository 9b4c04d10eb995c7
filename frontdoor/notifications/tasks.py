import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from frontdoor.notifications.services import deliver_now

logger = logging.getLogger(__name__)


@task()
def deliver_email(to: str, template: str, context: dict[str, Any], attempt: int) -> None:
    try:
        deliver_now(to, template, context)
    except Exception:
        # The mail server is down or refused: try again later rather than lose the email.
        delays = settings.EMAIL_RETRY_MINUTES
        if attempt >= len(delays):
            logger.exception("Gave up sending email %s after %d attempts", template, attempt + 1)
            raise
        logger.warning("Email %s failed; retrying in %d minutes", template, delays[attempt])
        deliver_email.using(run_after=timezone.now() + timedelta(minutes=delays[attempt])).enqueue(
            to=to, template=template, context=context, attempt=attempt + 1
        )
