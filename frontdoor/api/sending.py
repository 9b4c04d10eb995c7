"""Sending webhook deliveries, by the task worker: signed as Standard Webhooks says, to the
address that was checked, following no redirects, retried with backoff and jitter.

Each attempt looks the name up again and checks every address it has (webhooks.resolve),
then connects to that checked address itself, giving the name only as the Host header and
TLS server name (SNI, and the certificate is checked against it): the name is never looked
up a second time, so a DNS answer that changes between the check and the connection
(rebinding) cannot send a delivery inside the council's network. http.client follows no
redirects: a 3xx is a failed attempt, like any answer but 2xx.

The signature is ours (a few lines of HMAC-SHA256, below) and the tests verify it with the
`standardwebhooks` package as a receiver would, so the two are checked against each other.
"""

import base64
import datetime
import email.utils
import hashlib
import hmac
import http.client
import json
import logging
import random
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from frontdoor.api import reading, webhooks
from frontdoor.api.models import WebhookDelivery

logger = logging.getLogger(__name__)

# The wait after each failed attempt of a round: ten attempts over about three days.
SCHEDULE = [
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=14),
    datetime.timedelta(hours=20),
    datetime.timedelta(hours=24),
]
JITTER = 0.1  # each wait is up to 10% shorter or longer, so retries do not arrive together
RETRY_AFTER_MAX = datetime.timedelta(hours=24)
ANSWER_CHARS = 300
USER_AGENT = "FrontDoor-Webhooks/1"
Status = WebhookDelivery.Status


def sign(secrets: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header: a `v1,<base64 HMAC-SHA256>` of "{id}.{timestamp}.{body}"
    for each secret, space-separated."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    signatures = []
    for secret in secrets:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        digest = hmac.new(key, signed, hashlib.sha256).digest()
        signatures.append("v1," + base64.b64encode(digest).decode())
    return " ".join(signatures)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked address, with the name as the Host header."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the name for SNI and the certificate check."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, str | None]:
    """POST to the endpoint: its status, the start of its body and its Retry-After.
    webhooks.Refused if the address is not allowed; OSError or HTTPException if there
    was no answer."""
    scheme, host, port, address = webhooks.resolve(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = _PinnedHTTPSConnection(host, port, address, timeout)
    else:
        connection = _PinnedHTTPConnection(host, port, address, timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(ANSWER_CHARS).decode("utf-8", "replace")
        return response.status, text, response.getheader("Retry-After")
    finally:
        connection.close()


def retry_after(value: str | None, now: datetime.datetime) -> datetime.timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a wait, at least a second and at
    most RETRY_AFTER_MAX; None when there is none or it cannot be read."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.UTC)
        seconds = (when - now).total_seconds()
    return min(max(datetime.timedelta(seconds=seconds), datetime.timedelta(seconds=1)),
               RETRY_AFTER_MAX)  # fmt: skip


def queue(delivery: WebhookDelivery) -> None:
    """Queue the one task that may send the delivery next (at its next_attempt_at), in
    the caller's transaction: a task queued earlier for it no longer sends."""
    delivery.ticket += 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(ticket=delivery.ticket)
    at = delivery.next_attempt_at
    sender = send_delivery
    if at is not None and at > timezone.now():
        sender = send_delivery.using(run_after=at)
    sender.enqueue(delivery_id=delivery.pk, ticket=delivery.ticket)


@task()
def send_delivery(delivery_id: int, ticket: int) -> None:
    delivery = (
        WebhookDelivery.objects.select_related("endpoint__client")
        .filter(pk=delivery_id, ticket=ticket, status=Status.PENDING)
        .first()
    )
    if delivery is not None:  # else sent again meanwhile, or gone
        attempt(delivery)


def _finish(
    delivery: WebhookDelivery, status: str, code: int | None, answer: str, now: datetime.datetime
) -> None:
    delivery.status = status
    delivery.last_status_code = code
    delivery.last_answer = answer[:ANSWER_CHARS]
    delivery.last_attempt_at = now
    fields = ["status", "attempts", "tries", "last_status_code", "last_answer",
              "last_attempt_at", "next_attempt_at", "delivered_at"]  # fmt: skip
    if status == Status.DELIVERED:
        delivery.delivered_at = now
    if status != Status.PENDING:
        delivery.next_attempt_at = None
    delivery.save(update_fields=fields)


def attempt(delivery: WebhookDelivery) -> str:
    """One attempt: delivered (2xx), failed for good (refused, 410, the last of a round) or
    pending again with the next attempt queued. The status."""
    endpoint = delivery.endpoint
    now = timezone.now()
    if not endpoint.is_enabled:
        why = f"Not sent: the endpoint is disabled ({endpoint.disabled_reason})"
        _finish(delivery, Status.FAILED, None, why, now)
        return delivery.status
    readable = reading.cases_for(endpoint.client).filter(submission__reference=delivery.reference)
    if endpoint.client.revoked_at is not None or not readable.exists():
        # Restricted, transferred away or deleted since it was raised, or the client
        # revoked: the system is not told of what it cannot read.
        why = "Not sent: the referral is no longer this system's to read"
        _finish(delivery, Status.FAILED, None, why, now)
        return delivery.status
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            webhooks.signing_secrets(endpoint, now), delivery.message_id, timestamp, body
        ),
    }
    delivery.attempts += 1
    delivery.tries += 1
    code: int | None = None
    wait: datetime.timedelta | None = None
    try:
        code, text, asked_wait = post(endpoint.url, body, headers)
    except webhooks.Refused as refused:
        # The rules forbid this address: no retry (an administrator changes the URL).
        logger.warning("Webhook %s not sent: %s", delivery.message_id, refused)
        _finish(delivery, Status.FAILED, None, f"Not sent: {refused}", now)
        return delivery.status
    except (OSError, http.client.HTTPException) as error:
        answer = f"No answer: {type(error).__name__}: {error}".rstrip(": ")
    else:
        answer = text.strip() or f"HTTP {code}"
        if 200 <= code < 300:
            _finish(delivery, Status.DELIVERED, code, answer, now)
            return delivery.status
        if code == 410:
            webhooks.disable(endpoint, "It answered 410 Gone: the system no longer wants them")
            _finish(delivery, Status.FAILED, code, answer, now)
            return delivery.status
        if 300 <= code < 400:
            answer = f"A redirect (not followed): {answer}"
        if code in (429, 503):
            wait = retry_after(asked_wait, now)
    logger.info("Webhook %s attempt %d: %s", delivery.message_id, delivery.attempts, code)
    if delivery.tries > len(SCHEDULE):
        _finish(delivery, Status.FAILED, code, answer, now)
        return delivery.status
    if wait is None:
        wait = SCHEDULE[delivery.tries - 1] * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
    else:
        wait = wait * random.uniform(1, 1 + JITTER)  # noqa: S311 - never sooner than asked
    with transaction.atomic():
        delivery.next_attempt_at = now + wait
        _finish(delivery, Status.PENDING, code, answer, now)
        queue(delivery)
    return delivery.status
