"""record(): the one way anything in Front Door writes to the audit log.

Never pass personal data, passwords, codes or session ids in `detail`: ids, counts,
reasons and status names only.
"""

import datetime
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest

from frontdoor.audit.models import AuditEvent
from frontdoor.core.client import client_ip


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    ip: str | None = None,
    reference: str = "",
    **detail: Any,
) -> AuditEvent:
    """Write one event. `reference` is the referral it is about; when `obj` is the sent
    form itself (anything with a text `reference`), its own."""
    if not reference:
        own = getattr(obj, "reference", "")
        reference = own if isinstance(own, str) else ""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if ip is None and request is not None:
        ip = client_ip(request)
    return AuditEvent.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_label=_label(actor),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        reference=reference,
        client_ip=ip,
        detail=detail,
    )


def _label(actor: Any) -> str:
    if actor is None:
        return ""
    if getattr(actor, "is_staff", False):
        return "administrator"
    if getattr(actor, "is_council_staff", False):
        return "staff"
    return "user"


def times_of(action: str, actor: Any, since: datetime.datetime) -> list[datetime.datetime]:
    """When `actor` did `action` since then, oldest first. For limits per account: the log
    outlives what it names, so deleting a draft does not give back the start it counted."""
    events = AuditEvent.objects.filter(action=action, actor_id=actor.pk, at__gte=since)
    return list(events.order_by("at").values_list("at", flat=True))


def prune(before: datetime.datetime) -> int:
    """Delete the events older than `before`: the one sanctioned delete of the log, for
    its retention period (frontdoor/retention). On PostgreSQL the append-only trigger
    lets these deletes through only because this sets, for this transaction alone, the
    time before which it may (audit/migrations/0004_pruning.py). Returns how many."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('frontdoor.audit_prune_before', %s, true)",
                    [before.isoformat()],
                )
        # One DELETE statement (the model's own delete() refuses: it is for one event).
        deleted, _ = AuditEvent.objects.filter(at__lt=before).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('frontdoor.audit_prune_before', '', true)")
    return deleted
