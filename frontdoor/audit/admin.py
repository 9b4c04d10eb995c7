from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from frontdoor.audit.models import AuditEvent


class WhoActedFilter(admin.SimpleListFilter):
    """By the kind of account that acted, each choice in words: Django's own filter of the
    field listed the events nobody signed in for as a link with no text."""

    title = "who acted"
    parameter_name = "who"
    KINDS = {
        "administrator": "An administrator",
        "staff": "Council staff",
        "user": "A referrer or member of the public",
    }
    NOBODY = "nobody"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*self.KINDS.items(), (self.NOBODY, "Nobody signed in")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == self.NOBODY:
            return queryset.filter(actor_label="")
        if value in self.KINDS:
            return queryset.filter(actor_label=value)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The audit log, read-only: nobody adds, changes or deletes events here."""

    list_display = ["at", "action", "actor", "object", "client_ip"]
    list_filter = ["action", WhoActedFilter]
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
