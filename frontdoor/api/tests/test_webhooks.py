"""Webhooks: raised by what happens to a referral, sent by the real task worker to a real
receiver that verifies them with `standardwebhooks`; retries, 410, no redirects, the
address rules (SSRF), rotation, secrets encrypted at rest."""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from frontdoor.accounts.models import Membership
from frontdoor.api import clients, sending, webhooks
from frontdoor.api.checks import webhook_secret_key_is_set
from frontdoor.api.models import WebhookDelivery, WebhookEndpoint
from frontdoor.api.tests.receiver import receiver
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.enquiries import services as enquiries
from tests.sending import send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]

ALL = webhooks.EVENTS
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def social_care(teams):
    client, _ = clients.create_client("Social care system", [teams["social-care"]])
    return client


@pytest.fixture
def manager(mash_staff):
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    return mash_staff


def case_of(sent) -> Case:
    return Case.objects.get(submission=sent)


def test_a_sent_referral_is_a_signed_thin_referral_received(
    professional, social_care, hook, run_tasks
):
    endpoint, secret = webhooks.register(social_care, hook.url, ALL)
    sent = send(professional, "social-care-referral")
    run_tasks()

    assert len(hook.requests) == 1
    got = hook.requests[0]
    assert got.path == "/hooks/frontdoor"
    assert got.headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"msg_[A-Za-z0-9_-]{24}", got.headers["webhook-id"])
    payload = hook.verify(secret)  # standardwebhooks, as the system would
    assert payload["type"] == "referral.received"
    assert payload["data"] == {"reference": sent.reference}  # thin: no personal data
    assert datetime.datetime.fromisoformat(payload["timestamp"]) == sent.sent_at
    assert not hook.verifies(webhooks.new_secret())

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_answer) == (1, 200, "ok")
    assert delivery.message_id == got.headers["webhook-id"]


def test_each_happening_raises_its_events(
    professional, manager, teams, social_care, hook, run_tasks
):
    webhooks.register(social_care, hook.url, ALL)
    early_help = clients.create_client("Early Help system", [teams["early-help"]])[0]
    with receiver() as early:
        webhooks.register(early_help, early.url, ALL)
        sent = send(professional, "social-care-referral")
        case = case_of(sent)
        question = enquiries.ask_referrer(case, "Which school?", manager)
        enquiries.send_answer(question, "Riverside Primary", professional)
        added = enquiries.start_adding(sent, professional)
        enquiries.send_answer(added, "Ava has moved school", professional)
        services.decide(case, "strategy-discussion", "We are meeting today.", manager)
        second = send(professional, "social-care-referral")
        run_tasks()  # told before it moves: after, it is no longer social care's to read
        services.transfer(case_of(second), teams["early-help"], "Early Help fits", manager)
        run_tasks()

        def seen(requests) -> list[tuple[str, str]]:
            return [(json.loads(r.body)["type"], json.loads(r.body)["data"]["reference"])
                    for r in requests]  # fmt: skip

        assert seen(hook.requests) == [
            ("referral.received", sent.reference),
            ("referral.updated", sent.reference),  # the answer
            ("referral.updated", sent.reference),  # information added
            ("referral.updated", sent.reference),  # the decision…
            ("referral.decided", sent.reference),
            ("referral.received", second.reference),
        ]
        # The transfer tells the new team's system, which can read it now.
        assert seen(early.requests) == [("referral.updated", second.reference)]


def test_only_the_events_chosen_are_sent(professional, manager, social_care, hook, run_tasks):
    webhooks.register(social_care, hook.url, ["referral.decided"])
    sent = send(professional, "social-care-referral")
    services.decide(case_of(sent), "strategy-discussion", "Meeting today.", manager)
    run_tasks()
    assert [json.loads(r.body)["type"] for r in hook.requests] == ["referral.decided"]


def test_none_for_a_restricted_case_or_another_teams_system(
    professional, manager, teams, hook, run_tasks
):
    lado = clients.create_client("LADO system", [teams["lado"]])[0]
    webhooks.register(lado, hook.url, ALL)
    social = clients.create_client("Social care system", [teams["social-care"]])[0]
    with receiver() as social_hook:
        webhooks.register(social, social_hook.url, ALL)
        sent = send(professional, "social-care-referral")
        run_tasks()
        assert len(social_hook.requests) == 1
        services.restrict(case_of(sent), [], manager)
        services.decide(case_of(sent), "strategy-discussion", "Meeting today.", manager)
        run_tasks()
        assert len(social_hook.requests) == 1  # restricted: to a system it does not exist
    assert hook.requests == []  # LADO's system never hears of a social care referral
    assert WebhookDelivery.objects.filter(endpoint__client=lado).count() == 0


def test_one_raised_before_a_restriction_is_not_sent_after_it(
    professional, manager, social_care, hook, run_tasks
):
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    hook.answers = [(500, {}, b"")]
    sent = send(professional, "social-care-referral")
    run_tasks()
    services.restrict(case_of(sent), [], manager)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(seconds=1)):
        run_tasks()
    delivery.refresh_from_db()
    assert len(hook.requests) == 1  # the retry never went
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_answer == "Not sent: the referral is no longer this system's to read"


def test_a_disabled_endpoint_or_revoked_client_gets_none(
    professional, social_care, hook, run_tasks
):
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    webhooks.disable(endpoint, "Testing")
    send(professional, "social-care-referral")
    run_tasks()
    webhooks.enable(endpoint)
    clients.revoke_client(social_care)
    send(professional, "social-care-referral")
    run_tasks()
    assert hook.requests == []
    assert not WebhookDelivery.objects.exists()


def test_503_with_retry_after_is_honoured_then_delivered(
    professional, social_care, hook, run_tasks
):
    endpoint, secret = webhooks.register(social_care, hook.url, ALL)
    hook.answers = [(503, {"Retry-After": "120"}, b"busy")]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send(professional, "social-care-referral")
        run_tasks()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert (delivery.attempts, delivery.last_status_code, delivery.last_answer) == (1, 503, "busy")
    wait = delivery.next_attempt_at - start
    assert datetime.timedelta(seconds=120) <= wait <= datetime.timedelta(seconds=132)

    with time_machine.travel(start + datetime.timedelta(seconds=60), tick=False):
        run_tasks()  # not yet: it asked for two minutes
    assert len(hook.requests) == 1
    with time_machine.travel(start + datetime.timedelta(seconds=140), tick=False):
        run_tasks()
        assert hook.verifies(secret)  # a new timestamp, signed again
    delivery.refresh_from_db()
    assert len(hook.requests) == 2
    assert hook.requests[0].headers["webhook-id"] == hook.requests[1].headers["webhook-id"]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)


def test_failures_back_off_with_jitter_for_about_three_days_then_fail(
    professional, social_care, hook, run_tasks
):
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    hook.answers = [(500, {}, b"oops")] * 20
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        send(professional, "social-care-referral")
        run_tasks()
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        while delivery.status == WebhookDelivery.Status.PENDING:
            waits.append(delivery.next_attempt_at - timezone.now())
            clock.move_to(delivery.next_attempt_at)
            run_tasks()
            delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == len(hook.requests) == len(sending.SCHEDULE) + 1
    for wait, planned in zip(waits, sending.SCHEDULE, strict=True):
        assert planned * 0.9 <= wait <= planned * 1.1
    total = sum(waits, datetime.timedelta())
    assert datetime.timedelta(days=2.5) < total < datetime.timedelta(days=3.5)
    assert delivery.next_attempt_at is None


def test_410_disables_the_endpoint(professional, social_care, hook, run_tasks):
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    hook.answers = [(410, {}, b"gone")]
    send(professional, "social-care-referral")
    run_tasks()
    endpoint.refresh_from_db()
    assert not endpoint.is_enabled
    assert "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
    assert AuditEvent.objects.filter(action="api.webhook.disabled").exists()
    send(professional, "social-care-referral")
    run_tasks()
    assert len(hook.requests) == 1  # nothing more


def test_a_redirect_is_not_followed(professional, social_care, hook, run_tasks):
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    with receiver() as elsewhere:
        hook.answers = [(302, {"Location": elsewhere.url}, b"")]
        send(professional, "social-care-referral")
        run_tasks()
        assert elsewhere.requests == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.last_status_code == 302
    assert delivery.status == WebhookDelivery.Status.PENDING  # retried later, to the same URL
    assert "redirect" in delivery.last_answer


def test_no_answer_is_recorded_and_retried(professional, social_care, run_tasks):
    with receiver() as gone:
        url = gone.url
    endpoint, _ = webhooks.register(social_care, url, ALL)  # nothing listens there now
    send(professional, "social-care-referral")
    run_tasks()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_answer.startswith("No answer: ConnectionRefusedError")


def test_a_slow_answer_times_out_and_is_retried(
    professional, social_care, hook, settings, run_tasks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    hook.slow = 2
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    send(professional, "social-care-referral")
    run_tasks()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_answer == "No answer: TimeoutError: timed out"


def test_rotation_signs_with_both_secrets_until_the_old_is_dropped(
    professional, social_care, hook, run_tasks
):
    endpoint, old = webhooks.register(social_care, hook.url, ALL)
    new = webhooks.rotate_secret(endpoint)
    assert new != old
    send(professional, "social-care-referral")
    run_tasks()
    assert len(hook.requests[-1].headers["webhook-signature"].split(" ")) == 2
    assert hook.verifies(old)
    assert hook.verifies(new)

    webhooks.drop_old_secret(endpoint)
    send(professional, "social-care-referral")
    run_tasks()
    assert hook.verifies(new)
    assert not hook.verifies(old)

    # Left alone, the old one stops signing after the overlap.
    newer = webhooks.rotate_secret(endpoint)
    with time_machine.travel(
        timezone.now() + webhooks.ROTATION_OVERLAP + datetime.timedelta(minutes=1)
    ):
        send(professional, "social-care-referral")
        run_tasks()
        assert hook.verifies(newer)
        assert not hook.verifies(new)


def test_secrets_are_encrypted_at_rest(social_care, hook):
    endpoint, secret = webhooks.register(social_care, hook.url, ALL)
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    row = str(list(WebhookEndpoint.objects.filter(pk=endpoint.pk).values()))
    assert secret not in row
    assert secret.removeprefix("whsec_") not in row
    assert webhooks.decrypt(WebhookEndpoint.objects.get().secret) == secret
    assert secret not in str(list(AuditEvent.objects.values()))
    # Another key cannot read it.
    other_key = webhooks.Fernet.generate_key().decode()
    with (
        override_settings(WEBHOOK_SECRET_KEY=other_key),
        pytest.raises(ImproperlyConfigured, match="cannot be decrypted"),
    ):
        webhooks.decrypt(endpoint.secret)


def test_the_key_can_be_replaced_keeping_the_old_after_it(social_care, hook):
    first = webhooks.Fernet.generate_key().decode()
    with override_settings(WEBHOOK_SECRET_KEY=first):
        endpoint, secret = webhooks.register(social_care, hook.url, ALL)
    second = webhooks.Fernet.generate_key().decode()
    with override_settings(WEBHOOK_SECRET_KEY=f"{second},{first}"):
        assert webhooks.decrypt(endpoint.secret) == secret


def test_production_refuses_to_start_without_a_key():
    with override_settings(HTTPS=True, WEBHOOK_SECRET_KEY=""):
        (problem,) = webhook_secret_key_is_set(None)
        assert problem.id == "api.E001"
        assert "WEBHOOK_SECRET_KEY must be set" in problem.msg
    with override_settings(HTTPS=True, WEBHOOK_SECRET_KEY="not-a-key"):
        assert "Fernet" in webhook_secret_key_is_set(None)[0].msg
    with override_settings(HTTPS=True, WEBHOOK_SECRET_KEY=webhooks.Fernet.generate_key().decode()):
        assert webhook_secret_key_is_set(None) == []
    with override_settings(HTTPS=False, WEBHOOK_SECRET_KEY=""):  # a laptop: derived
        assert webhook_secret_key_is_set(None) == []


def test_the_web_server_refuses_to_start_without_a_key(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "production-like-" + "Zq8rT2vW9xKp4LmN7bC3" * 3,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_URL": "smtp://localhost:25",
        "VIRUS_SCAN": "off",
    }
    serve = [sys.executable, "-c", "import frontdoor.wsgi; print('started')"]
    refused = subprocess.run(serve, env=env, cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=False)  # fmt: skip
    assert refused.returncode != 0
    assert "WEBHOOK_SECRET_KEY must be set" in refused.stderr
    env["WEBHOOK_SECRET_KEY"] = webhooks.Fernet.generate_key().decode()
    started = subprocess.run(serve, env=env, cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=False)  # fmt: skip
    assert "WEBHOOK_SECRET_KEY" not in started.stderr


# --- The address rules (SSRF) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://cms.council.example/hooks", "must start with https://"),
        ("https://10.1.2.3/hooks", "a private address"),
        ("https://192.168.0.10/hooks", "a private address"),
        ("https://169.254.169.254/latest/meta-data", "a link-local address"),
        ("https://[fe80::1]/hooks", "a link-local address"),
        ("https://[::ffff:10.0.0.1]/hooks", "a private address"),
        ("https://0.0.0.0/hooks", "an unspecified address"),
        ("https://224.0.0.1/hooks", "a multicast address"),
        ("https://100.64.0.1/hooks", "not a public address"),
        ("https://127.0.0.1/hooks", "a loopback address"),
        ("https://localhost/hooks", "localhost (which resolves to 127.0.0.1): it is a loopback"),
        ("ftp://cms.council.example/", "Enter a URL like"),
        ("https://user:pw@cms.council.example/", "user name or password"),
    ],
)
def test_registering_refuses_what_production_never_sends_to(social_care, settings, url, why):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(webhooks.Refused, match=re.escape(why)):
        webhooks.register(social_care, url, ALL)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        # 6to4 (2002::/16) carries an IPv4 address a relay sends it on to; Python 3.12.1
        # calls each of these global, as it does 192.0.0.0/24 (IETF protocol assignments).
        ("https://[2002:a00:1::]/hooks", "it carries 10.0.0.1, a private address"),
        ("https://[2002:a9fe:a9fe::1]/hooks", "it carries 169.254.169.254, a link-local"),
        ("https://[2002:7f00:1::]/hooks", "it carries 127.0.0.1, a loopback address"),
        ("https://192.0.0.8/hooks", "not a public address"),
        # NAT64, IPv4-compatible and -translated addresses are in ::/8, reserved.
        ("https://[64:ff9b::a00:1]/hooks", "a reserved address"),
        ("https://[::127.0.0.1]/hooks", "a reserved address"),
    ],
)
def test_an_address_carrying_an_internal_ipv4_one_is_refused(social_care, settings, url, why):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(webhooks.Refused, match=re.escape(why)):
        webhooks.register(social_care, url, ALL)
    assert not WebhookEndpoint.objects.exists()


def test_loopback_allowed_is_loopback_only(social_care):
    with pytest.raises(webhooks.Refused, match="a private address"):
        webhooks.register(social_care, "http://10.0.0.1/hooks", ALL)
    with pytest.raises(webhooks.Refused, match="must start with https://"):
        webhooks.register(social_care, "http://8.8.8.8/hooks", ALL)
    assert webhooks.register(social_care, "https://cms.council.example/hooks", ALL)


def test_a_name_resolving_to_loopback_is_refused_at_send(
    professional, social_care, hook, settings, run_tasks
):
    """Checked at each send: an endpoint registered while allowed (or whose name's address
    changed since) is refused, nothing is received, and the log says why."""
    url = hook.url.replace("http://127.0.0.1", "https://localhost")
    endpoint, _ = webhooks.register(social_care, url, ALL)
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    send(professional, "social-care-referral")
    run_tasks()
    assert hook.connections == 0  # never even connected
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_status_code is None
    assert "Not sent" in delivery.last_answer
    assert "localhost (which resolves to 127.0.0.1): it is a loopback address" in (
        delivery.last_answer
    )


def test_http_is_refused_at_send_in_production(
    professional, social_care, hook, settings, run_tasks
):
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    send(professional, "social-care-referral")
    run_tasks()
    assert hook.connections == 0
    assert "must start with https://" in WebhookDelivery.objects.get(endpoint=endpoint).last_answer


def test_sends_go_to_the_address_checked_with_the_name_as_host(
    professional, social_care, hook, run_tasks
):
    endpoint, _ = webhooks.register(social_care, hook.url.replace("127.0.0.1", "localhost"), ALL)
    send(professional, "social-care-referral")
    run_tasks()
    assert hook.requests[0].headers["Host"] == f"localhost:{hook.port}"
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == "delivered"


def test_retry_after_reads_seconds_and_dates_and_is_capped():
    now = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=datetime.UTC)
    assert sending.retry_after("30", now) == datetime.timedelta(seconds=30)
    assert sending.retry_after("0", now) == datetime.timedelta(seconds=1)
    assert sending.retry_after("Thu, 03 Dec 2026 12:10:00 GMT", now) == datetime.timedelta(
        minutes=10
    )
    assert sending.retry_after("999999999", now) == sending.RETRY_AFTER_MAX
    assert sending.retry_after("soon", now) is None
    assert sending.retry_after(None, now) is None


def test_send_again_starts_a_new_round_with_the_same_message_id(
    professional, social_care, hook, run_tasks
):
    endpoint, secret = webhooks.register(social_care, hook.url, ALL)
    hook.answers = [(410, {}, b"")]
    send(professional, "social-care-referral")
    run_tasks()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "failed"
    webhooks.enable(endpoint)
    webhooks.send_again(delivery)
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert hook.requests[1].headers["webhook-id"] == delivery.message_id
    assert hook.verifies(secret)


def test_a_superseded_task_sends_nothing(professional, social_care, hook, run_tasks):
    """Send again while a retry waits: only the newest task sends."""
    endpoint, _ = webhooks.register(social_care, hook.url, ALL)
    hook.answers = [(500, {}, b"")]
    send(professional, "social-care-referral")
    run_tasks()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    webhooks.send_again(delivery)
    later = delivery.next_attempt_at + datetime.timedelta(minutes=1)
    run_tasks()
    with time_machine.travel(later):
        run_tasks()  # the earlier retry's task: superseded
    assert len(hook.requests) == 2


def test_a_client_of_two_teams_hears_of_each_once(professional, teams, hook, run_tasks):
    both = clients.create_client("Both", [teams["social-care"], teams["lado"]])[0]
    webhooks.register(both, hook.url, ALL)
    send(professional, "social-care-referral")
    send(professional, "lado-referral")
    run_tasks()
    assert len(hook.requests) == 2  # one each, never twice
