from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from frontdoor.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The audit log, read-only: nobody adds, changes or deletes events here."""

    list_display = ["at", "action", "actor", "object", "client_ip"]
    list_filter = ["action", "actor_label"]
    search_fields = ["action", "object_id", "=actor_id", "client_ip"]
    date_hierarchy = "at"

    @admin.display(description="Who")
    def actor(self, event: AuditEvent) -> str:
        return f"{event.actor_label} {event.actor_id}" if event.actor_id else "-"

    @admin.display(description="Object")
    def object(self, event: AuditEvent) -> str:
        return f"{event.object_type} {event.object_id}" if event.object_id else "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
