from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from frontdoor.accounts import services
from frontdoor.accounts.models import Membership, Team, User, normalise_email
from frontdoor.audit.services import record
from frontdoor.core.text import PlainTextMixin


class TeamForm(PlainTextMixin, forms.ModelForm[Team]):
    pass


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    form = TeamForm
    list_display = ["name", "slug", "mailbox", "forms_sent_here"]
    readonly_fields = ["forms_sent_here"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Forms whose definition sends them here")
    def forms_sent_here(self, team: Team) -> str:
        # Routing is the form's YAML (`team:`), not this page: shown, never edited here.
        from frontdoor.referrals import registry

        named = [d.title for d in registry.forms().values() if d.team == team.slug]
        return ", ".join(named) or "None"


class MembershipInline(admin.StackedInline[Membership, User]):
    # Stacked: a tabular inline's selects have no labels (axe-core: select-name, critical).
    model = Membership
    extra = 1
    verbose_name = "team membership"
    fields = ["team", "role"]


class AccountForm(PlainTextMixin, forms.ModelForm[User]):
    """Emails are stored in lower case: compare them so, or a duplicate would be a 500."""

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class StaffCreationForm(AccountForm):
    member_of = forms.ModelMultipleChoiceField(
        label="Teams", queryset=Team.objects.all(), required=False
    )
    manager_of = forms.ModelMultipleChoiceField(
        label="Manager of",
        queryset=Team.objects.all(),
        required=False,
        help_text="Of the teams above, those this person manages.",
    )
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Confirm password", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "is_staff"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        not_member = set(cleaned.get("manager_of") or []) - set(cleaned.get("member_of") or [])
        if not_member:
            self.add_error("manager_of", "A manager of a team must be in the team: select it above")
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", "The passwords do not match")
        elif password:
            candidate = User(
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    """Accounts: mark professionals, manage teams. Leavers are closed through the page that
    frontdoor/administration/admin.py adds. No referral data here."""

    list_display = ["email", "full_name", "is_professional", "is_active", "is_staff"]
    list_filter = ["is_professional", "is_active", "is_staff", "teams"]
    search_fields = ["email", "first_name", "last_name", "organisation"]
    form = AccountForm
    inlines = [MembershipInline]
    actions = ["reactivate", "mark_professional"]
    fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name"]}),
        ("Work", {"fields": ["is_professional", "organisation", "job_title", "telephone"]}),
        ("Council staff", {"fields": ["is_staff"]}),
        ("Status", {"fields": ["is_active", "email_verified_at", "date_joined", "last_login"]}),
    ]
    readonly_fields = ["email_verified_at", "date_joined", "last_login"]

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Headed with whose account it is: its own name ("Account 12", kept out of logs and
        # the admin's history) tells the administrator nothing.
        accounts = User.objects.only("first_name", "last_name", "email")
        found = accounts.filter(pk=object_id).first() if object_id.isdigit() else None
        if found is not None:
            whose = f"{found.get_full_name() or found} ({found.email})"
            extra_context = {"subtitle": whose, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = StaffCreationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return [
                (
                    "New council staff account",
                    {
                        "fields": [
                            "email",
                            "first_name",
                            "last_name",
                            "member_of",
                            "manager_of",
                            "is_staff",
                            "password1",
                            "password2",
                        ]
                    },
                )
            ]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request: HttpRequest, obj: User | None = None) -> Any:
        # A new account's teams are chosen on the creation form itself.
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            # Administrators have every permission; there are no half-administrators.
            obj.is_superuser = obj.is_staff
            super().save_model(request, obj, form, change)
            record(
                "account.changed_by_admin",
                actor=request.user,
                obj=obj,
                fields=sorted(form.changed_data),
                request=request,
            )
            return
        created = services.create_staff(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
            teams=list(form.cleaned_data["member_of"]),
            managed=list(form.cleaned_data["manager_of"]),
            administrator=form.cleaned_data["is_staff"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description="Reactivate selected accounts")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.filter(is_active=False):
            user.is_active = True
            user.save(update_fields=["is_active"])
            record("account.reactivated", actor=request.user, obj=user, request=request)
            count += 1
        self.message_user(request, f"{count} account(s) reactivated.")

    @admin.action(description="Mark selected accounts as professional (after checking)")
    def mark_professional(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.filter(is_professional=False):
            user.is_professional = True
            user.save(update_fields=["is_professional"])
            record("account.marked_professional", actor=request.user, obj=user, request=request)
            count += 1
        self.message_user(request, f"{count} account(s) marked as professional.")

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Accounts are deactivated, not deleted: the audit log and, later, the referrals
        # they sent keep their meaning.
        return False
