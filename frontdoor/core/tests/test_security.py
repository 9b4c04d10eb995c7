"""Security headers, refused methods, redirects after sign-in, and the client's address."""

import re

import pytest
from django.test import Client, RequestFactory, override_settings

from conftest import PASSWORD, last_code, sign_in
from frontdoor.core.client import client_ip

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = [
    "/account/details/",
    "/account/details/change/",
    "/account/details/email/",
    "/account/details/password/",
]


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'none'"]
    assert "*" not in directives["script-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


# Every page the URL walk finds is checked, as the person it is for, in tests/test_headers.py.


def test_the_not_found_page_sends_the_security_headers(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert_security_headers(response)


def assert_scripts_are_ours(response):
    """Every script tag either loads a file from this site (a path: not `//host/…`) or
    carries this response's nonce."""
    csp = response["Content-Security-Policy"]
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    for tag in scripts:
        nonce = re.search(r"\bnonce=\"([^\"]+)\"", tag)
        if nonce:
            assert f"'nonce-{nonce.group(1)}'" in csp, tag
        else:
            assert re.search(r"\bsrc=\"/(?![/\\])", tag), tag


def test_inline_scripts_carry_the_nonce_of_the_policy(client):
    response = client.get("/")
    assert "<script" in response.content.decode()
    assert_scripts_are_ours(response)


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="//evil.example/x.js"></script>',
        '<script src="/\\evil.example/x.js"></script>',
        '<script src="https://evil.example/x.js"></script>',
        '<script nonce="not-the-policys">alert(1)</script>',
        "<script>alert(1)</script>",
    ],
)
def test_a_script_from_elsewhere_or_without_the_nonce_is_caught(tag):
    from django.http import HttpResponse

    response = HttpResponse(f"<html><body>{tag}</body></html>")
    response["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
    with pytest.raises(AssertionError):
        assert_scripts_are_ours(response)


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_are_not_cached(client, professional, run_tasks, path):
    sign_in(client, professional, run_tasks)

    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert_security_headers(response)


def test_sign_in_page_is_not_cached(client):
    assert "no-store" in client.get("/account/sign-in/")["Cache-Control"]


@pytest.mark.parametrize("method", ["TRACE", "TRACK"])
def test_trace_is_refused(client, method):
    response = client.generic(method, "/")

    assert response.status_code == 405


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example",
        "//evil.example/account/details/",
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
    ],
)
def test_no_open_redirect_through_next_when_signing_in(client, professional, run_tasks, next_url):
    client.get("/account/sign-in/", {"next": next_url})

    response = sign_in(client, professional, run_tasks, next_url=next_url)

    assert response["Location"] == "/"


def test_no_open_redirect_through_next_in_the_query_string(client, professional, run_tasks):
    response = client.post(
        "/account/sign-in/?next=https://evil.example/",
        {"email": professional.email, "password": PASSWORD},
    )
    assert response["Location"] == "/account/sign-in/code/"
    run_tasks()

    response = client.post("/account/sign-in/code/", {"code": last_code(professional.email)})

    assert response["Location"] == "/"


def test_a_local_next_is_followed_after_signing_in(client, professional, run_tasks):
    response = sign_in(client, professional, run_tasks, next_url="/account/details/")

    assert response["Location"] == "/account/details/"


def test_signed_in_visit_to_sign_in_page_does_not_redirect_offsite(client, professional, run_tasks):
    sign_in(client, professional, run_tasks)

    response = client.get("/account/sign-in/", {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_stay_signed_in_does_not_redirect_offsite(client, professional, run_tasks):
    sign_in(client, professional, run_tasks)

    response = client.post("/account/session/extend/", {"next": "//evil.example"})

    assert response["Location"] == "/"


# --- The client's address -------------------------------------------------------------------


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert client_ip(request) == "203.0.113.9"


def test_forwarded_for_is_ignored_from_an_untrusted_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert client_ip(request) == "203.0.113.9"


def test_forwarded_for_is_believed_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert client_ip(request) == "198.51.100.1"


def test_a_spoofed_leftmost_forwarded_for_entry_does_not_win(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/8"]
    # The client sent "1.2.3.4" itself; our proxies appended the real address, then their own.
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.1.2.3",
    )

    assert client_ip(request) == "198.51.100.7"


def test_garbage_in_forwarded_for_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, not-an-address"
    )

    assert client_ip(request) == "127.0.0.1"


def test_forwarded_for_does_not_dodge_the_sign_in_throttle(client, professional, settings):
    settings.TRUSTED_PROXIES = []
    settings.THROTTLE_ACCOUNT_FREE_TRIES = 3
    for n in range(3):
        client.post(
            "/account/sign-in/",
            {"email": professional.email, "password": "Wrong-Password-99"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    response = client.post(
        "/account/sign-in/",
        {"email": professional.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )

    assert response.status_code == 200
    assert "too many attempts" in response.content.decode()


# --- HTTPS --------------------------------------------------------------------------------


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
def test_hsts_header_present_when_https_settings_are_on():
    response = Client().get("/", secure=True)

    assert "max-age=31536000" in response["Strict-Transport-Security"]


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_when_https_settings_are_on():
    response = Client().get("/help/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/help/"
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_the_database_refuses_to_change_an_audit_event():
    from django.db import DatabaseError, transaction

    from frontdoor.audit.models import AuditEvent
    from frontdoor.audit.services import record

    event = record("test.event")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"
