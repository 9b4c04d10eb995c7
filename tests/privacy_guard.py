"""A check around every test: no email, log record or URL carries a persona's personal data.

Emails may greet their recipient by first name and nothing more; logs and URLs carry ids,
never names, addresses or answers. The personal data is what the test personas and the
tests' own referrals hold (surnames, email addresses, a street, children's names, answers).
Registered from the root conftest, so it runs for the whole suite.
"""

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.signals import request_started

# Surnames and email addresses of the personas (conftest.py) and of people the tests make.
PERSONAL = [
    "Patel", "Owen", "Jones", "Reid", "Khan", "Lovelace", "Bloggs", "Looker", "Sharma",
    "dsl@school.example.org", "gp@surgery.example.nhs.uk", "parent@example.net",
    "Fictional Road", "Riverside Primary School", "Elm Street Surgery",
    # Children and answers in the tests' referrals.
    "Ava", "Ben Smith", "Avie", "Nobody called back", "The worker was kind", "Great help",
    "Private details", "Typed before time-out", "It was fine", "Half typed",
]  # fmt: skip
PATTERN = re.compile("|".join(rf"\b{re.escape(word)}\b" for word in PERSONAL))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("mail."):
            return  # the tests' own SMTP server (aiosmtpd), not the portal
        try:
            self.lines.append(record.getMessage())
        except Exception:
            self.lines.append(str(record.msg))


@pytest.fixture(autouse=True)
def _no_personal_data_in_emails_logs_or_urls() -> Iterator[None]:
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    urls: list[str] = []

    def seen(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if environ:
            query = environ.get("QUERY_STRING", "")
            urls.append(environ.get("PATH_INFO", "") + (f"?{query}" if query else ""))

    request_started.connect(seen)
    try:
        yield
    finally:
        request_started.disconnect(seen)
        root.removeHandler(handler)
    found = []
    for message in getattr(mail, "outbox", []):
        texts = [message.subject, message.body]
        texts += [content for content, _ in getattr(message, "alternatives", [])]
        found += [
            f"email to {message.to}: {m.group(0)!r}"
            for t in texts
            for m in PATTERN.finditer(str(t))
        ]
    found += [
        f"log: {m.group(0)!r} in {line[:120]!r}"
        for line in handler.lines
        for m in PATTERN.finditer(line)
    ]
    found += [f"URL: {url}" for url in urls if PATTERN.search(url)]
    assert not found, "Personal data where it must never be:\n" + "\n".join(found)
