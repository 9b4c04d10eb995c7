"""API clients in the administration site: the list (teams, last use, live tokens), and
each client's tokens page, where a token is issued (shown once, on that page's answer,
never kept or put in a message), revoked, or the whole client revoked; and its webhooks
page, where an endpoint is registered (its signing secret shown once, likewise), its
secret rotated, disabled or enabled, and each endpoint's delivery log, with "Send again"."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from frontdoor.api import clients, drops, webhooks
from frontdoor.api.models import ApiClient, ApiToken, Drop, WebhookDelivery, WebhookEndpoint
from frontdoor.audit.services import record
from frontdoor.core.templatetags.govuk import govuk_datetime
from frontdoor.core.text import PlainTextMixin


class ApiClientForm(PlainTextMixin, forms.ModelForm[ApiClient]):
    """A client's name and teams: like every form in the portal, no hidden characters."""

    class Meta:
        model = ApiClient
        fields = ["name", "teams"]
        # A box to tick a team: the admin's two-list picker has a select with no name
        # without JavaScript (axe), and a council has a handful of teams.
        widgets = {"teams": forms.CheckboxSelectMultiple}


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    form = ApiClientForm
    list_display = ["name", "team_names", "last_used", "live_tokens", "webhook_links", "status"]
    fields = ["name", "teams"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiClient]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("teams")
            .annotate(
                last_use=Max("tokens__last_used_at"),
                live=Count("tokens", filter=Q(tokens__revoked_at=None)),
            )
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the audit log names it

    @admin.display(description="Teams")
    def team_names(self, client: ApiClient) -> str:
        return ", ".join(team.slug for team in client.teams.all())

    @admin.display(description="Last used", ordering="last_use")
    def last_used(self, client: ApiClient) -> Any:
        return getattr(client, "last_use", None) or "Never"

    @admin.display(description="Live tokens")
    def live_tokens(self, client: ApiClient) -> Any:
        url = reverse("admin:api_apiclient_tokens", args=[client.pk])
        return format_html('<a href="{}">{} (tokens)</a>', url, getattr(client, "live", 0))

    @admin.display(description="Webhooks")
    def webhook_links(self, client: ApiClient) -> Any:
        url = reverse("admin:api_apiclient_webhooks", args=[client.pk])
        return format_html('<a href="{}">Webhooks<span class="govuk-visually-hidden"> of {}'
                           "</span></a>", url, client.name)  # fmt: skip

    @admin.display(description="Status")
    def status(self, client: ApiClient) -> str:
        return "Live" if client.is_live else f"Revoked {client.revoked_at:%d %b %Y %H:%M}"

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        client = form.instance
        teams = sorted(team.slug for team in client.teams.all())
        record("api.client.created" if not change else "api.client.changed", actor=request.user,
               obj=client, teams=teams)  # fmt: skip

    def response_add(self, request: HttpRequest, obj: ApiClient, *args: Any) -> HttpResponse:
        # A new client has no token yet: its tokens page issues the first.
        return HttpResponseRedirect(reverse("admin:api_apiclient_tokens", args=[obj.pk]))

    def get_urls(self) -> list[URLPattern]:
        tokens = path(
            "<int:client_id>/tokens/",
            self.admin_site.admin_view(tokens_page),
            name="api_apiclient_tokens",
        )
        hooks = path(
            "<int:client_id>/webhooks/",
            self.admin_site.admin_view(webhooks_page),
            name="api_apiclient_webhooks",
        )
        log = path(
            "<int:client_id>/webhooks/<int:endpoint_id>/",
            self.admin_site.admin_view(deliveries_page),
            name="api_apiclient_deliveries",
        )
        return [tokens, hooks, log, *super().get_urls()]


@require_http_methods(["GET", "HEAD", "POST"])
def tokens_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id)
    issued, problem = "", ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "issue":
                issued = clients.issue_token(client, by=request.user)
            elif action == "revoke":
                token = get_object_or_404(ApiToken, client=client, pk=request.POST.get("token"))
                clients.revoke_token(token, by=request.user)
            elif action == "revoke_client":
                clients.revoke_client(client, by=request.user)
            else:
                problem = "Choose what to do"
        except clients.Refused as refused:
            problem = str(refused)
        except ValueError:
            raise Http404 from None
        client.refresh_from_db()
    response = render(
        request,
        "api/tokens.html",
        {
            "client": client,
            "tokens": client.tokens.all(),
            "issued": issued,
            "problem": problem,
            # "Revoke this API client" asks first (a GET): the POST is the confirmation.
            "confirm_revoke": request.method != "POST" and request.GET.get("confirm") == "revoke",
            "change_url": reverse("admin:api_apiclient_change", args=[client.pk]),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class DropForm(PlainTextMixin, forms.ModelForm[Drop]):
    """A drop's name, teams and destination: a folder the portal can write to, or an S3
    prefix."""

    paused = forms.BooleanField(
        required=False, help_text="Nothing is delivered while it is paused."
    )

    class Meta:
        model = Drop
        fields = ["name", "teams", "destination", "since"]
        widgets = {"teams": forms.CheckboxSelectMultiple}  # as ApiClientForm's

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paused"].initial = self.instance.paused_at is not None

    def clean_destination(self) -> str:
        destination = str(self.cleaned_data["destination"]).strip()
        drops.check_folder(destination)
        return destination


@admin.register(Drop)
class DropAdmin(admin.ModelAdmin[Drop]):
    """Drops for systems without an API: where new referrals are written, and how many."""

    form = DropForm
    list_display = ["name", "team_names", "destination", "delivered", "last_delivered", "status"]
    fields = ["name", "teams", "destination", "since", "paused"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Drop]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("teams")
            .annotate(count=Count("deliveries"), last=Max("deliveries__delivered_at"))
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # paused, never deleted: its deliveries are its record

    @admin.display(description="Teams")
    def team_names(self, drop: Drop) -> str:
        return ", ".join(team.slug for team in drop.teams.all())

    @admin.display(description="Delivered", ordering="count")
    def delivered(self, drop: Drop) -> int:
        return int(getattr(drop, "count", 0))

    @admin.display(description="Last delivered", ordering="last")
    def last_delivered(self, drop: Drop) -> str:
        last = getattr(drop, "last", None)
        return govuk_datetime(last) if last else "Never"

    @admin.display(description="Status")
    def status(self, drop: Drop) -> str:
        return "Live" if drop.paused_at is None else f"Paused {govuk_datetime(drop.paused_at)}"

    def save_model(self, request: HttpRequest, obj: Drop, form: Any, change: bool) -> None:
        paused = bool(form.cleaned_data.get("paused"))
        if paused and obj.paused_at is None:
            obj.paused_at = timezone.now()
        elif not paused:
            obj.paused_at = None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        drop = form.instance
        record(
            "drop.changed" if change else "drop.created",
            actor=request.user,
            obj=drop,
            teams=sorted(team.slug for team in drop.teams.all()),
            paused=drop.paused_at is not None,
        )


@require_http_methods(["GET", "HEAD", "POST"])
def webhooks_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id)
    secret, made, errors, done = "", None, {}, ""
    url, chosen = "", list(webhooks.EVENTS)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "register":
            url = request.POST.get("url", "").strip()
            chosen = request.POST.getlist("events")
            if not url:
                errors["url"] = "Enter the URL of the system's webhook receiver"
            if not set(chosen) & set(webhooks.EVENTS):
                errors["events"] = "Choose at least one event"
            if not errors:
                try:
                    made, secret = webhooks.register(client, url, chosen, by=request.user)
                except webhooks.Refused as refused:
                    errors["url"] = str(refused)
                else:
                    url, chosen = "", list(webhooks.EVENTS)
        else:
            try:
                endpoint = get_object_or_404(
                    WebhookEndpoint, client=client, pk=request.POST.get("endpoint")
                )
            except ValueError:
                raise Http404 from None
            if action == "rotate":
                made, secret = endpoint, webhooks.rotate_secret(endpoint, by=request.user)
            elif action == "drop_old":
                webhooks.drop_old_secret(endpoint, by=request.user)
                done = f"The old secret of {endpoint.url} no longer signs"
            elif action == "disable":
                webhooks.disable(endpoint, "Disabled by an administrator", by=request.user)
                done = f"{endpoint.url} is disabled: nothing more is sent to it"
            elif action == "enable":
                webhooks.enable(endpoint, by=request.user)
                done = f"{endpoint.url} is enabled again"
            else:
                raise Http404
    events = [
        {"value": value, "label": label, "checked": value in chosen}
        for value, label in WebhookEndpoint.Event.choices
    ]
    response = render(
        request,
        "api/webhooks.html",
        {
            "client": client,
            "endpoints": client.webhooks.all(),
            "secret": secret,
            "made": made,
            "errors": errors,
            "done": done,
            "url": url,
            "events": events,
            "tokens_url": reverse("admin:api_apiclient_tokens", args=[client.pk]),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


LOG_SIZE = 100


@require_http_methods(["GET", "HEAD", "POST"])
def deliveries_page(request: HttpRequest, client_id: int, endpoint_id: int) -> HttpResponse:
    endpoint = get_object_or_404(
        WebhookEndpoint.objects.select_related("client"), client_id=client_id, pk=endpoint_id
    )
    done = ""
    if request.method == "POST":
        if request.POST.get("action") != "send_again":
            raise Http404
        try:
            delivery = get_object_or_404(
                WebhookDelivery, endpoint=endpoint, pk=request.POST.get("delivery")
            )
        except ValueError:
            raise Http404 from None
        webhooks.send_again(delivery, by=request.user)
        done = f"{delivery.event} of {delivery.reference} will be sent again in a moment"
    deliveries = list(endpoint.deliveries.all()[: LOG_SIZE + 1])
    response = render(
        request,
        "api/deliveries.html",
        {
            "client": endpoint.client,
            "endpoint": endpoint,
            "deliveries": deliveries[:LOG_SIZE],
            "more": len(deliveries) > LOG_SIZE,
            "done": done,
            "webhooks_url": reverse("admin:api_apiclient_webhooks", args=[endpoint.client_id]),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
