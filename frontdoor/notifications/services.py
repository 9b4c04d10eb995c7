"""Every email the portal sends goes through send(): one helper, one template set.

Each email has three templates in notifications/templates/email/: NAME.subject.txt,
NAME.txt and NAME.html. Emails greet the recipient by first name and never carry anyone
else's personal data or a form's answers. Sending happens in the task worker, enqueued in
the caller's transaction, so a page answers as fast whether or not it sends an email and a
mail-server outage delays an email rather than losing it.

send() returns the email's record (`models.Email`: its template and how delivery went,
not its address): keep it where staff need to know whether an email went, and say so
with `delivery_state` and `delivery_label`.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from frontdoor.core.templatetags.govuk import govuk_datetime
from frontdoor.notifications.models import Email

logger = logging.getLogger(__name__)

SENT: str = Email.State.SENT.value
WAITING: str = Email.State.WAITING.value
FAILED: str = Email.State.FAILED.value


def send(to: str, template: str, context: dict[str, Any] | None = None) -> Email:
    """Queue an email. `context` must be JSON-serialisable and free of personal data."""
    from frontdoor.notifications.tasks import deliver_email

    email = Email.objects.create(template=template)
    deliver_email.enqueue(
        to=to, template=template, context=context or {}, attempt=0, email_id=email.pk
    )
    return email


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


def delivery_state(email: Email) -> str:
    """The email's state: `SENT` ("sent": the mail server took it), `WAITING` ("waiting":
    queued, or to be tried again after a refusal) or `FAILED` ("failed": the worker gave up
    after its last retry)."""
    return str(email.state)


def delivery_label(email: Email) -> str:
    """How the email's delivery went, in plain English, for a staff page to show after
    "Email to the referrer: ". Sent: "sent on 2 December 2026 at 10:42am"; waiting: "not
    sent yet" (and why, after a refusal); failed: "not sent — … so phone them or write to
    them instead"."""
    state = delivery_state(email)
    if state == SENT:
        assert email.sent_at is not None
        return f"sent on {govuk_datetime(email.sent_at)}"
    tries = "once" if email.attempts == 1 else f"{email.attempts} times"
    if state == FAILED:
        return (
            f"not sent — the mail server refused it {tries} and it will not be tried again, "
            "so phone them or write to them instead"
        )
    if email.attempts:
        return f"not sent yet — the mail server refused it {tries}; it will be tried again"
    return "not sent yet"
