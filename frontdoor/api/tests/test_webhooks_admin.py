"""Webhooks in the administration: registering (the secret shown once), rotating,
disabling and enabling, the delivery log with "Send again", every action audited; and
`create_api_client --webhook`."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import signed_in
from frontdoor.api import clients, webhooks
from frontdoor.api.models import ApiClient, WebhookDelivery, WebhookEndpoint
from frontdoor.audit.models import AuditEvent
from tests.sending import send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]
SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")


@pytest.fixture
def admin_client(administrator, run_tasks) -> Client:
    return signed_in(administrator, run_tasks)


@pytest.fixture
def system(teams) -> ApiClient:
    return clients.create_client("Liquidlogic LCS", [teams["social-care"]])[0]


def page_of(client: ApiClient) -> str:
    return f"/admin/api/apiclient/{client.pk}/webhooks/"


def audited(action: str) -> list[dict]:
    return [event.detail for event in AuditEvent.objects.filter(action=action)]


def test_registering_shows_the_secret_once_and_it_signs(
    admin_client, system, hook, professional, run_tasks
):
    page = page_of(system)
    assert "No endpoints yet" in admin_client.get(page).content.decode()
    response = admin_client.post(
        page, {"action": "register", "url": hook.url, "events": ["referral.received"]}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    secret = SECRET.search(html)
    assert secret is not None
    assert "only time the secret is shown" in html
    endpoint = WebhookEndpoint.objects.get(client=system)
    assert endpoint.events == ["referral.received"]
    assert secret.group(0) not in admin_client.get(page).content.decode()  # once
    assert audited("api.webhook.registered")[0]["url"] == hook.url
    assert secret.group(0) not in str(list(AuditEvent.objects.values()))

    send(professional, "social-care-referral")
    run_tasks()
    assert hook.verifies(secret.group(0))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "", "events": webhooks.EVENTS}, "Enter the URL of the system"),
        ({"url": "https://cms.council.example/h"}, "Choose at least one event"),
        ({"url": "https://10.0.0.8/h", "events": webhooks.EVENTS}, "it is a private address"),
        ({"url": "not a url", "events": webhooks.EVENTS}, "Enter a URL like https://"),
    ],
)
def test_a_bad_endpoint_gets_a_clear_message(admin_client, system, settings, data, message):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    response = admin_client.post(page_of(system), {"action": "register", **data})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: " in html
    assert not WebhookEndpoint.objects.exists()


def test_rotating_disabling_and_enabling_are_audited(admin_client, system, hook):
    endpoint, old = webhooks.register(system, hook.url, webhooks.EVENTS)
    page = page_of(system)
    rotated = admin_client.post(page, {"action": "rotate", "endpoint": endpoint.pk})
    new = SECRET.search(rotated.content.decode())
    assert new is not None
    assert new.group(0) != old
    assert "Stop signing with the old secret" in rotated.content.decode()
    admin_client.post(page, {"action": "drop_old", "endpoint": endpoint.pk})
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == ""

    disabled = admin_client.post(page, {"action": "disable", "endpoint": endpoint.pk})
    assert "nothing more is sent to it" in disabled.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "Disabled by an administrator"
    admin_client.post(page, {"action": "enable", "endpoint": endpoint.pk})
    endpoint.refresh_from_db()
    assert endpoint.is_enabled
    for action in ("secret_rotated", "old_secret_dropped", "disabled", "enabled"):
        (detail,) = audited(f"api.webhook.{action}")
        assert detail["endpoint"] == endpoint.pk
    assert AuditEvent.objects.filter(action="api.webhook.enabled").get().actor_id


def test_another_clients_endpoint_is_404(admin_client, system, teams, hook):
    other = clients.create_client("Other", [teams["lado"]])[0]
    theirs, _ = webhooks.register(other, hook.url, webhooks.EVENTS)
    page = page_of(system)
    assert admin_client.post(page, {"action": "disable", "endpoint": theirs.pk}).status_code == 404
    assert admin_client.post(page, {"action": "disable", "endpoint": "x"}).status_code == 404
    assert admin_client.get(f"{page}{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_enabled


def test_the_delivery_log_and_send_again(admin_client, system, hook, professional, run_tasks):
    endpoint, secret = webhooks.register(system, hook.url, webhooks.EVENTS)
    hook.answers = [(500, {}, b"database down")]
    sent = send(professional, "social-care-referral")
    run_tasks()
    log = f"{page_of(system)}{endpoint.pk}/"
    html = admin_client.get(log).content.decode()
    assert f"referral.received of {sent.reference}" in html
    assert "Pending" in html
    assert "HTTP 500: database down" in html
    assert "the next" in html

    delivery = WebhookDelivery.objects.get()
    assert admin_client.get(log, {"action": "send_again", "delivery": delivery.pk}).status_code
    assert len(hook.requests) == 1  # a GET sends nothing
    response = admin_client.post(log, {"action": "send_again", "delivery": delivery.pk})
    assert "will be sent again" in response.content.decode()
    run_tasks()
    assert len(hook.requests) == 2
    assert hook.verifies(secret)
    html = admin_client.get(log).content.decode()
    assert "Delivered" in html
    assert "HTTP 200: ok" in html
    (detail,) = audited("api.webhook.sent_again")
    assert detail["message"] == delivery.message_id
    assert AuditEvent.objects.get(action="api.webhook.sent_again").reference == sent.reference


def test_send_again_needs_the_csrf_token(administrator, run_tasks, system, hook, professional):
    webhooks.register(system, hook.url, webhooks.EVENTS)
    send(professional, "social-care-referral")
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(administrator)
    log = f"{page_of(system)}{delivery.endpoint_id}/"
    assert strict.post(log, {"action": "send_again", "delivery": delivery.pk}).status_code == 403
    assert not AuditEvent.objects.filter(action="api.webhook.sent_again").exists()


def test_the_pages_are_404_to_anyone_but_an_administrator(system, hook, mash_staff, run_tasks):
    endpoint, _ = webhooks.register(system, hook.url, webhooks.EVENTS)
    staff = signed_in(mash_staff, run_tasks)
    assert staff.get(page_of(system)).status_code == 404
    assert staff.get(f"{page_of(system)}{endpoint.pk}/").status_code == 404
    assert (
        staff.post(page_of(system), {"action": "disable", "endpoint": endpoint.pk}).status_code
        == 404
    )
    endpoint.refresh_from_db()
    assert endpoint.is_enabled


def test_the_client_list_and_tokens_page_link_to_webhooks(admin_client, system):
    assert page_of(system) in admin_client.get("/admin/api/apiclient/").content.decode()
    tokens = admin_client.get(f"/admin/api/apiclient/{system.pk}/tokens/").content.decode()
    assert page_of(system) in tokens


def test_the_command_registers_a_webhook_and_prints_its_secret_once(
    teams, hook, professional, run_tasks
):
    out = io.StringIO()
    call_command(
        "create_api_client", "--name", "Mosaic", "--team", "social-care", "--webhook", hook.url,
        stdout=out,
    )  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    assert lines[2].startswith("fdk_")  # the token first, then the secret
    secret = lines[-1]
    assert SECRET.fullmatch(secret)
    endpoint = WebhookEndpoint.objects.get(client__name="Mosaic")
    assert endpoint.events == webhooks.EVENTS
    send(professional, "social-care-referral")
    run_tasks()
    assert hook.verifies(secret)


def test_the_command_refuses_a_bad_webhook_and_makes_no_client(teams, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(CommandError, match="--webhook: The URL must start with https://"):
        call_command(
            "create_api_client", "--name", "Mosaic", "--team", "lado",
            "--webhook", "http://cms.council.example/hooks",
        )  # fmt: skip
    assert not ApiClient.objects.exists()


def test_the_command_says_when_there_is_no_key_to_keep_the_secret(teams, settings, hook):
    settings.HTTPS, settings.WEBHOOK_SECRET_KEY = True, ""
    with pytest.raises(CommandError, match="WEBHOOK_SECRET_KEY must be set"):
        call_command(
            "create_api_client", "--name", "Mosaic", "--team", "lado", "--webhook", hook.url
        )
    assert not ApiClient.objects.exists()
