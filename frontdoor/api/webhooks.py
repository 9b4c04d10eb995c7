"""Webhooks: a client's endpoints, their signing secrets, the address rules, and the
deliveries raised when something happens to a referral. Sending is sending.py.

Signing secrets are `whsec_` + base64 of 32 random bytes (Standard Webhooks). They are kept
encrypted with WEBHOOK_SECRET_KEY (Fernet, from the `cryptography` package), not hashed:
every delivery is signed with the secret itself. A secret is shown once, when made. A
rotation keeps the old secret signing too (two signatures) for ROTATION_OVERLAP, so the
system can switch without missing a message.

Payloads are thin: the event, the time and the reference. The system reads the referral
through the API, so every read of personal data is authenticated and audited.
"""

import base64
import contextlib
import datetime
import hashlib
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from frontdoor.api.models import ApiClient, WebhookDelivery, WebhookEndpoint
from frontdoor.audit.services import record
from frontdoor.cases.models import Case

Event = WebhookEndpoint.Event
EVENTS = [choice.value for choice in Event]
ROTATION_OVERLAP = datetime.timedelta(hours=24)


class Refused(Exception):
    """The change, or the address, is not allowed (with a message to show)."""


class NotFound(Refused):
    """The name could not be looked up (now)."""


# --- Signing secrets, encrypted at rest ---------------------------------------------------


def _keys() -> MultiFernet:
    configured = [key.strip() for key in settings.WEBHOOK_SECRET_KEY.split(",") if key.strip()]
    if not configured:
        if settings.HTTPS:
            raise ImproperlyConfigured(
                "WEBHOOK_SECRET_KEY must be set (docs/configuring.md) to keep webhook secrets"
            )
        # A laptop (HTTPS=false): a key derived from SECRET_KEY.
        derived = hashlib.sha256(b"frontdoor webhook secrets\0" + settings.SECRET_KEY.encode())
        configured = [base64.urlsafe_b64encode(derived.digest()).decode()]
    try:
        return MultiFernet([Fernet(key) for key in configured])
    except ValueError:
        raise ImproperlyConfigured(
            "WEBHOOK_SECRET_KEY must be Fernet keys (32 url-safe base64-encoded bytes each)"
        ) from None


def key_problem() -> str:
    """Why the configured key cannot be used, or "" (the start-up check asks)."""
    try:
        _keys()
    except ImproperlyConfigured as problem:
        return str(problem)
    return ""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return _keys().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A webhook secret cannot be decrypted with WEBHOOK_SECRET_KEY: was the key "
            "replaced without keeping the old one after it?"
        ) from None


def signing_secrets(endpoint: WebhookEndpoint, now: datetime.datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the old one while
    a rotation lasts."""
    found = [decrypt(endpoint.secret)]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and now < until:
        found.append(decrypt(endpoint.previous_secret))
    return found


# --- Where a delivery may go (SSRF) --------------------------------------------------------


# IETF protocol assignments: not global (RFC 6890), though Python before 3.12.4 says so.
NOT_GLOBAL = (ipaddress.ip_network("192.0.0.0/24"),)


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why a delivery may not go to this address, or ""."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        # 6to4: a relay passes it on to the IPv4 address it carries.
        carried = address.sixtofour
        why = _refused_address(carried)
        return f"a 6to4 address: it carries {carried}, {why}" if why else ""
    if any(address in network for network in NOT_GLOBAL):
        return "not a public address"
    if address.is_loopback:
        return "" if settings.WEBHOOKS_ALLOW_LOOPBACK else "a loopback address"
    for kind, yes in (
        ("an unspecified address", address.is_unspecified),
        ("a multicast address", address.is_multicast),
        ("a link-local address", address.is_link_local),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
        ("not a public address", not address.is_global),
    ):
        if yes:
            return kind
    return ""


def check_url(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of an endpoint URL the rules allow on its face (https;
    http only to a loopback address with WEBHOOKS_ALLOW_LOOPBACK); else Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("Enter a URL like https://cms.council.example/webhooks") from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise Refused("Enter a URL like https://cms.council.example/webhooks")
    if parts.username or parts.password:
        raise Refused("The URL must not have a user name or password in it")
    if parts.scheme == "http" and not settings.WEBHOOKS_ALLOW_LOOPBACK:
        raise Refused("The URL must start with https://")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def resolve(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and the checked address to connect to for an endpoint URL,
    looked up now. Refused when any address the name has is not allowed (a name that
    also resolves to an internal address is refused), or http:// is to anything but
    loopback."""
    scheme, host, port = check_url(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise NotFound(f"The name {host} could not be looked up") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise NotFound(f"The name {host} could not be looked up")
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])
        why = _refused_address(address)
        if why:
            shown = host if host == text else f"{host} (which resolves to {text})"
            raise Refused(f"Webhooks are not sent to {shown}: it is {why}")
        if scheme == "http" and not address.is_loopback:
            raise Refused("The URL must start with https://")
    return scheme, host, port, addresses[0]


# --- Endpoints ------------------------------------------------------------------------------


def _events(chosen: Iterable[str]) -> list[str]:
    events = [event for event in EVENTS if event in set(chosen)]
    if not events:
        raise Refused("Choose at least one event")
    return events


def register(
    client: ApiClient, url: str, events: Iterable[str], *, by: Any = None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the client and its signing secret (returned once). The URL is
    checked now (a clear message), and again at every send, which is what counts."""
    url = url.strip()
    chosen = _events(events)
    if len(url) > 500:
        raise Refused("The URL must be 500 characters or fewer")
    with contextlib.suppress(NotFound):  # not in the DNS yet, perhaps: each send looks again
        resolve(url)
    if not client.is_live:
        raise Refused("This API client has been revoked")
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        client=client, url=url, events=chosen, secret=encrypt(secret)
    )
    record(
        "api.webhook.registered", actor=by, obj=client, endpoint=endpoint.pk, url=url,
        events=chosen,
    )  # fmt: skip
    return endpoint, secret


def rotate_secret(endpoint: WebhookEndpoint, *, by: Any = None) -> str:
    """A new secret (returned once); the old one signs too for ROTATION_OVERLAP."""
    secret = new_secret()
    now = timezone.now()
    endpoint.previous_secret, endpoint.previous_secret_until = (
        endpoint.secret,
        now + (ROTATION_OVERLAP),
    )
    endpoint.secret = encrypt(secret)
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    record("api.webhook.secret_rotated", actor=by, obj=endpoint.client, endpoint=endpoint.pk)
    return secret


def drop_old_secret(endpoint: WebhookEndpoint, *, by: Any = None) -> None:
    """Stop signing with the old secret now (the system has switched)."""
    if endpoint.previous_secret:
        endpoint.previous_secret, endpoint.previous_secret_until = "", None
        endpoint.save(update_fields=["previous_secret", "previous_secret_until"])
        record("api.webhook.old_secret_dropped", actor=by, obj=endpoint.client,
               endpoint=endpoint.pk)  # fmt: skip


def disable(endpoint: WebhookEndpoint, reason: str, *, by: Any = None) -> None:
    """No more deliveries: none is raised, and those waiting fail when their time comes."""
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at=None).update(
        disabled_at=timezone.now(), disabled_reason=reason[:200]
    )
    if updated:
        record("api.webhook.disabled", actor=by, obj=endpoint.client, endpoint=endpoint.pk,
               reason=reason[:200])  # fmt: skip
    endpoint.refresh_from_db()


def enable(endpoint: WebhookEndpoint, *, by: Any = None) -> None:
    updated = (
        WebhookEndpoint.objects.filter(pk=endpoint.pk)
        .exclude(disabled_at=None)
        .update(disabled_at=None, disabled_reason="")
    )
    if updated:
        record("api.webhook.enabled", actor=by, obj=endpoint.client, endpoint=endpoint.pk)
    endpoint.refresh_from_db()


# --- Raising events -------------------------------------------------------------------------


def payload(event: str, reference: str, at: datetime.datetime) -> dict[str, Any]:
    timestamp = at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return {"type": event, "timestamp": timestamp, "data": {"reference": reference}}


def raise_events(case_id: int, team_id: int, events: list[str], at: datetime.datetime) -> int:
    """A delivery of each event to every enabled endpoint subscribed to it, of the live
    clients of the team the case is in (`team_id`), queued in the same transaction as the
    change. None for a restricted case: to a system it does not exist. How many."""
    from frontdoor.api import sending

    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            disabled_at=None, client__revoked_at=None, client__teams=team_id
        ).distinct()
        if set(events) & set(endpoint.events)
    ]
    if not endpoints:
        return 0  # most councils' teams: one query, and nothing more
    case = Case.objects.filter(pk=case_id).select_related("submission").first()
    if case is None or case.restricted_at is not None:
        return 0
    made = 0
    for endpoint in endpoints:
        for event in events:
            if event not in endpoint.events:
                continue
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                reference=case.submission.reference,
                message_id=f"msg_{secrets.token_urlsafe(18)}",
                payload=payload(event, case.submission.reference, at),
                next_attempt_at=at,
            )
            sending.queue(delivery)
            made += 1
    return made


def send_again(delivery: WebhookDelivery, *, by: Any = None) -> None:
    """A new round of attempts, now (same message id, so the system can tell a repeat)."""
    from frontdoor.api import sending

    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        locked.status, locked.tries = WebhookDelivery.Status.PENDING, 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "tries", "next_attempt_at"])
        sending.queue(locked)
        record("api.webhook.sent_again", actor=by, obj=locked.endpoint.client,
               endpoint=locked.endpoint_id, message=locked.message_id,
               reference=locked.reference)  # fmt: skip
