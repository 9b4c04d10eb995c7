"""The administration site's pages that reach across apps: the accounts page gains the
leaver's page, the audit log its viewer, a team's page its members and, read-only, its
workflow and timescales (accounts and audit sit below the referrals and cases these
touch, so this app, above them, adds them)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from frontdoor.accounts.admin import TeamAdmin, UserAdmin
from frontdoor.accounts.models import Membership, Team, User
from frontdoor.administration import views
from frontdoor.audit.admin import AuditEventAdmin
from frontdoor.audit.models import AuditEvent
from frontdoor.cases.workflows import workflow_for
from frontdoor.referrals import registry
from frontdoor.referrals.annotations import annotated


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


TIMESCALE_UNITS = {
    "working_days": ("working day", "working days"),
    "calendar_days": ("day", "days"),
    "calendar_weeks": ("week", "weeks"),
}
WORKFLOWS_FROM = (
    "From the workflows file (WORKFLOWS_FILE, else frontdoor/cases/workflows.yaml; "
    "docs/configuring.md, Workflows): change it there, not here."
)
TIMESCALES_FROM = (
    "From each form's definition (its timescale:, in frontdoor/referrals/definitions or "
    "FORMS_FOLDER). Working days follow OFFICE_DAYS, OFFICE_HOURS, the bank holidays and "
    "COUNCIL_CLOSURE_DAYS (docs/configuring.md, Decision timescales): change them there."
)


class AccountNumberWidget(ForeignKeyRawIdWidget):
    """The box for an account's number, with the person it is beside it: their name and
    email address, and whether the account is closed (an account's own name, "Account 12",
    tells an administrator nothing)."""

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        try:
            account = User.objects.only("first_name", "last_name", "email", "is_active").get(
                pk=value
            )
        except (ValueError, TypeError, User.DoesNotExist):
            return "", ""
        url = reverse(f"{self.admin_site.name}:accounts_user_change", args=[account.pk])
        closed = "" if account.is_active else ", account closed"
        return f"{account.get_full_name() or account} ({account.email}{closed})", url


class TeamMembershipInline(admin.StackedInline[Membership, Team]):
    # Stacked, with the account by its number: a tabular inline's fields have no labels,
    # and the autocomplete box has no accessible name (axe-core refuses both). Beside the
    # number, who it is.
    model = Membership
    extra = 1
    verbose_name = "member"
    verbose_name_plural = "members (their role: worker or manager)"
    fields = ["user", "role"]
    raw_id_fields = ["user"]

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "user":
            kwargs["widget"] = AccountNumberWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TeamWorkflowAdmin(TeamAdmin):
    """A team: its members and roles (changed here), and what the files say of it: the
    forms sent to it, its stages, outcomes and who may do what, its timescales (shown)."""

    inlines = [TeamMembershipInline]
    readonly_fields = ["forms_sent_here", "stages", "outcomes", "managers_only", "timescales"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "mailbox"]}),
        # Not Team.forms: what routes a form is its definition's team:, shown here.
        ("Forms", {"fields": ["forms_sent_here"]}),
        (
            "Workflow (read-only)",
            {"fields": ["stages", "outcomes", "managers_only"], "description": WORKFLOWS_FROM},
        ),
        (
            "Decision timescales (read-only)",
            {"fields": ["timescales"], "description": TIMESCALES_FROM},
        ),
    ]

    @admin.display(description="Stages")
    def stages(self, team: Team) -> str:
        workflow = workflow_for(team.slug)
        return format_html_join(", ", "{}", ((stage.name,) for stage in workflow.stages))

    @admin.display(description="Outcomes staff choose from")
    def outcomes(self, team: Team) -> str:
        workflow = workflow_for(team.slug)
        rows = (
            (
                outcome.name,
                "closes the referral"
                if outcome.closes
                else f"moves it to {workflow.stage(outcome.moves_to).name}",
            )
            for outcome in workflow.outcomes
        )
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} ({})</li>", rows))

    @admin.display(description="Kept for managers")
    def managers_only(self, team: Team) -> str:
        workflow = workflow_for(team.slug)
        said = {
            "assign_to_others": "assigning to someone else",
            "change_rating": "changing a rating",
            "confirm_decision": "confirming a decision",
        }
        kept = [words for action, words in said.items() if workflow.manager_only(action)]
        return ", ".join(kept) or "Nothing: workers may do it all"

    @admin.display(description="Time to decide")
    def timescales(self, team: Team) -> str:
        rows = []
        for definition in registry.forms().values():
            if definition.team != team.slug:
                continue
            timescale = annotated(definition).timescale
            if timescale is None:
                rows.append((definition.title, "no timescale"))
                continue
            one, many = TIMESCALE_UNITS.get(timescale.unit, (timescale.unit, timescale.unit))
            rows.append(
                (definition.title, f"{timescale.amount} {one if timescale.amount == 1 else many}")
            )
        if not rows:
            return "No form is sent to this team"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))


admin.site.unregister(Team)
admin.site.register(Team, TeamWorkflowAdmin)
