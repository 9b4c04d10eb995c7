"""A record of each email send() queued, so staff can see whether it went.

It holds what the email was (its template) and how its delivery went, never who it was
to or what it said: the address travels only in the worker's task, as before. A page that
needs to say "Email to the referrer: sent at 10:42am" keeps a link to the row (a decision,
referrals.StatusChange.email) and asks `services.delivery_state`/`delivery_label`.
"""

from django.db import models
from django.utils import timezone


class Email(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", "Not sent yet"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"

    template = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    # Tries so far (the first included). The mail server took it at `sent_at`; or the
    # worker gave up at `failed_at` after its last retry (settings.EMAIL_RETRY_SECONDS).
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # The kind of the last error ("ConnectionRefusedError", "SMTPRecipientsRefused"): its
    # text is not kept, as it may name the recipient.
    last_error_kind = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"Email {self.pk} ({self.template})"

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return self.State.SENT
        if self.failed_at is not None:
            return self.State.FAILED
        return self.State.WAITING
