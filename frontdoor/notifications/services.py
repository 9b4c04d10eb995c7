"""Every email the portal sends goes through send(): one helper, one template set.

Each email has three templates in notifications/templates/email/: NAME.subject.txt,
NAME.txt and NAME.html. Emails greet the recipient by first name and never carry anyone
else's personal data or a form's answers. Sending happens in the task worker, enqueued in
the caller's transaction, so a page answers as fast whether or not it sends an email and a
mail-server outage delays an email rather than losing it.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def send(to: str, template: str, context: dict[str, Any] | None = None) -> None:
    """Queue an email. `context` must be JSON-serialisable and free of personal data."""
    from frontdoor.notifications.tasks import deliver_email

    deliver_email.enqueue(to=to, template=template, context=context or {}, attempt=0)


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    full = {"council": settings.COUNCIL, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"email/{template}.subject.txt", full).strip()
    text = render_to_string(f"email/{template}.txt", full)
    html = render_to_string(f"email/{template}.html", full)
    return " ".join(subject.split()), text, html


def deliver_now(to: str, template: str, context: dict[str, Any]) -> None:
    """Render and send straight away (in the worker). Raises if the mail server fails."""
    subject, text, html = render(template, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
    logger.info("Sent email %s", template)
