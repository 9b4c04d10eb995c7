"""API clients (a council's case-management system) and their tokens.

A client is scoped to teams: it reads the referrals whose case is in one of them now. It
is the recorded actor of what it does (audit `detail`), never a made-up user account.

A token is `fdk_<prefix>_<secret>`: the prefix finds the row, and only a SHA-256 digest of
the whole token is kept. The secret is 32 random bytes, so a fast hash is right (there is
nothing to guess that a slow hash would protect, unlike a password); the token is shown
once, when issued. A client has at most two live tokens: a new one while the system
switches to it, then the old one is revoked (clients.py).
"""

from django.db import models
from django.utils import timezone

from frontdoor.accounts.models import Team


class ApiClient(models.Model):
    name = models.CharField(
        max_length=100, unique=True, help_text="The system, e.g. “Liquidlogic LCS”."
    )
    teams = models.ManyToManyField(
        Team,
        related_name="api_clients",
        help_text="It reads the referrals that are in these teams now.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ApiToken(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)  # SHA-256 of the whole token, hex
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Kept to the minute (clients.LAST_USED_EVERY): not a write on every call.
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"fdk_{self.prefix}_…"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ApiImport(models.Model):
    """A client's system took a referral in, as its own case `external_reference`.

    Recorded per client and per the team the case was in when it was imported: imported
    counts for the team the referral is in now, so after a transfer the new team's system
    imports it again. Retention (the council's copy is deleted a set time after import and
    closure) reads the latest import for the case's team now."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="imports")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="api_imports")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    external_reference = models.CharField(max_length=100)
    # The Idempotency-Key header of the call that made it, when one was sent.
    idempotency_key = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["imported_at", "id"]
        verbose_name = "import"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "case", "team"], name="api_import_once_per_client_and_team"
            )
        ]
        indexes = [
            models.Index(fields=["case", "team", "imported_at"]),
            models.Index(fields=["client", "idempotency_key"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_reference} ({self.client})"


class Drop(models.Model):
    """For a system without an API: new referrals of its teams are written, on a schedule,
    as JSON with their documents into a folder or under an S3 prefix (api/drops.py).
    Delivered is not imported: the system has the files, not yet the referral."""

    name = models.CharField(max_length=100, unique=True, help_text="The system, e.g. “Mosaic”.")
    teams = models.ManyToManyField(
        Team, related_name="drops", help_text="The referrals that are in these teams now."
    )
    destination = models.CharField(
        max_length=500,
        help_text="A folder on the portal's server (an absolute path, e.g. "
        "/srv/frontdoor/drop) or an S3 prefix (s3://bucket/prefix).",
    )
    since = models.DateTimeField(
        default=timezone.now,
        help_text="Referrals received from this time on are delivered (earlier ones are not).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "drop for a system without an API"
        verbose_name_plural = "drops for systems without an API"

    def __str__(self) -> str:
        return self.name


class DropDelivery(models.Model):
    """A referral written to a drop, for the team it was in then (after a transfer, a drop
    of the new team delivers it again)."""

    drop = models.ForeignKey(Drop, on_delete=models.CASCADE, related_name="deliveries")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="drop_deliveries")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField(default=timezone.now)
    files = models.PositiveIntegerField(help_text="Files written, the JSON included.")

    class Meta:
        ordering = ["delivered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["drop", "case", "team"], name="drop_delivery_once_per_team"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} to {self.drop}"


class WebhookEndpoint(models.Model):
    """A URL of a client's system told (signed, Standard Webhooks) when one of its
    referrals arrives, changes or is decided. Its signing secret is kept encrypted
    (webhooks.py): it cannot be hashed, since every delivery is signed with it. While a
    secret is rotated, the old one signs too, until `previous_secret_until`."""

    class Event(models.TextChoices):
        RECEIVED = "referral.received", "referral.received: a referral arrived"
        UPDATED = (
            "referral.updated",
            "referral.updated: transferred, an answer or information from the referrer, or decided",
        )
        DECIDED = "referral.decided", "referral.decided: a decision was made"

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)  # Event values
    secret = models.TextField()  # Fernet token of the whsec_ secret
    previous_secret = models.TextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None


class WebhookDelivery(models.Model):
    """One message to one endpoint, with its attempts: thin (event, reference, time),
    never personal data. `ticket` is the number of the one task that may send it next (a
    retry, or "send again", queues a new one); `tries` counts this round's attempts, which
    set the wait before the next, and `attempts` every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    reference = models.CharField(max_length=30)
    message_id = models.CharField(max_length=40, unique=True)  # webhook-id: msg_…
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    tries = models.PositiveIntegerField(default=0)
    ticket = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The last answer: its HTTP status (None: no answer) and a short text (the start of
    # the body, or why it was not sent).
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_answer = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.message_id} {self.event} {self.reference}"
