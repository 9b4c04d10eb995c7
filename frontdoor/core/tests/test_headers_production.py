"""Headers as a council's server sends them: real gunicorn, production settings, HTTPS=true."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from http.client import HTTPMessage
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> Iterator[int]:
    """gunicorn as `make run` starts it (the same config file), with production settings."""
    workdir = tmp_path_factory.mktemp("gunicorn")
    log = workdir / "error.log"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "frontdoor.settings",
        "SECRET_KEY": "production-like-" + "Zq8rT2vW9xKp4LmN7bC3" * 3,
        "HTTPS": "true",
        # gunicorn is reached through a proxy that terminated TLS, as in production.
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "smtp://localhost:25",
        "VIRUS_SCAN": "off",
        "WEBHOOK_SECRET_KEY": "kJ3p0nH1y2Q9Yw8Zr5mV7xT4bC6dE0fG1hI2jK3lM4o=",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "frontdoor.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--no-control-socket",
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        port = 0
        while time.monotonic() < deadline and not port:
            assert process.poll() is None, log.read_text() if log.exists() else "no log"
            text = log.read_text() if log.exists() else ""
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
            if found and "Booting worker" in text:
                port = int(found.group(1))
            time.sleep(0.1)
        assert port, log.read_text() if log.exists() else "gunicorn did not start"
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(port: int, path: str) -> HTTPMessage:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 200
        return response.headers


def test_gunicorn_does_not_name_itself(gunicorn):
    headers = fetch(gunicorn, "/account/session/")

    assert "gunicorn" not in str(headers).lower()
    assert headers.get_all("Server") in (None, ["frontdoor"])


def test_the_policy_upgrades_insecure_requests_under_https(gunicorn):
    headers = fetch(gunicorn, "/account/session/")

    directives = [part.strip() for part in headers["Content-Security-Policy"].split(";")]
    assert "upgrade-insecure-requests" in directives
    assert "default-src 'none'" in directives
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_csrf_cookie_ends_with_the_browser(client):
    response = client.get("/account/sign-in/")

    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie.value
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_are_not_offered_to_other_sites():
    # A fresh client builds the middleware (WhiteNoise) under these settings.
    response = Client().get("/static/build/frontdoor.css", HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
