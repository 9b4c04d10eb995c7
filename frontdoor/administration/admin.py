"""The administration site's pages that reach across apps: the accounts page gains the
leaver's page, the audit log its viewer (accounts and audit sit below the referrals and cases these
touch, so this app, above them, adds them)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from frontdoor.accounts.admin import UserAdmin
from frontdoor.accounts.models import User
from frontdoor.administration import views
from frontdoor.audit.admin import AuditEventAdmin
from frontdoor.audit.models import AuditEvent


class LeaverUserAdmin(UserAdmin):
    # Closing an account goes through the leaver's page (drafts, referrals, a confirmation),
    # never a ticked box or a bulk action.
    actions = ["close_account", "reactivate", "mark_professional"]

    def get_urls(self) -> list[URLPattern]:
        leaver = path(
            "<int:user_id>/leaver/",
            self.admin_site.admin_view(views.leaver),
            name="accounts_user_leaver",
        )
        return [leaver, *super().get_urls()]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return []
        return [*self.readonly_fields, "leaver"]

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": ["leaver" if f == "is_active" else f for f in options["fields"]],
                },
            )
            if name == "Status"
            else (name, options)
            for name, options in fieldsets
        ]

    @admin.display(description="Account")
    def leaver(self, user: User) -> str:
        # In place of the "active" box: a closed account's page deals with its drafts and
        # referrals too.
        url = reverse("admin:accounts_user_leaver", args=[user.pk])
        if user.is_active:
            return format_html('Open. <a href="{}">Close this account (a leaver)</a>', url)
        return format_html('Closed. <a href="{}">Its drafts</a>', url)

    @admin.action(description="Close the account of a leaver (one at a time, confirmed)")
    def close_account(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        chosen = list(queryset.values_list("pk", flat=True)[:2])
        if len(chosen) != 1:
            self.message_user(
                request,
                "Choose one account: each leaver's drafts and referrals are dealt with on "
                "their own page.",
                messages.WARNING,
            )
            return None
        return HttpResponseRedirect(reverse("admin:accounts_user_leaver", args=chosen))


admin.site.unregister(User)
admin.site.register(User, LeaverUserAdmin)


class AuditViewerAdmin(AuditEventAdmin):
    # The list page links to the viewer (templates/admin/audit/auditevent/change_list.html).
    def get_urls(self) -> list[URLPattern]:
        viewer = [
            path("log/", self.admin_site.admin_view(views.audit_log), name="audit_auditevent_log"),
            path(
                "log/export/",
                self.admin_site.admin_view(views.audit_export),
                name="audit_auditevent_export",
            ),
        ]
        return [*viewer, *super().get_urls()]


admin.site.unregister(AuditEvent)
admin.site.register(AuditEvent, AuditViewerAdmin)
