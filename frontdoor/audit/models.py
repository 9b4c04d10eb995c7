from typing import Any

from django.db import models


class AuditEvent(models.Model):
    """Who did what to which object, when, from where. Append-only.

    `actor_id` and `object_id` are plain values, not foreign keys: an event outlives the
    account or object it names, and deleting one must never rewrite the log.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=100, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    # The referral the event is about (its reference, FD-2026-000123), whatever the object:
    # the sent form itself, one of its documents, a step of its case. Empty for the rest
    # (and for a draft's events before it was sent: the viewer finds those by the draft).
    reference = models.CharField(max_length=20, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events cannot be deleted")
