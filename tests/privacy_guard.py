"""A check around every test: no email, log record, URL or worker output carries a
persona's personal data.

What counts as personal data is derived, not listed by hand: every persona of conftest.py
(`PERSONAS`) and every account saved while the test runs (registration, changed details)
gives its names, email addresses, telephone number, address, postcode, organisation and
date of birth; to these add the answers the tests type into referrals (`ANSWERS`).
Each is looked for case-insensitively, in text decoded as far as it goes (URL-encoding,
HTML entities), with the spaces in postcodes and telephone numbers optional.

Where it is looked for:

- every URL the portal is asked for (path and query, by the test Client or the browser
  through the live server) and every redirect it answers with (`Location`);
- every log record, as formatted: the message, the traceback, the stack and any `extra=`
  fields (the tests' own SMTP server, aiosmtpd's `mail.log`, is not the portal);
- every email: Django's `mail.outbox` and every message a real SMTP server of
  tests/smtp_server.py received — all headers and every text part;
- the output of the real worker run as a process (`subprocess.run` of `manage.py
  db_worker` or `worker`), which must be captured for the check.

An email may greet its recipient by first name, and only that: the first line of each
part may be exactly "Dear <first name>," for a recipient's first name; the recipient's
own address may be in To. Nothing else is allowed anywhere.

Registered from the root conftest, so it runs for the whole suite.
"""

from __future__ import annotations

import datetime
import html
import logging
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any
from urllib.parse import unquote_plus

import pytest

# What the tests type into referrals and feedback: children's names and answers.
ANSWERS = [
    "Ava", "Ben Smith", "Avie", "Nobody called back", "The worker was kind", "Great help",
    "Private details", "Typed before time-out", "It was fine", "Half typed",
]  # fmt: skip

# Shorter values ("Jo") would match ordinary words; the personas' are all longer.
SHORTEST = 3


# --- What is personal --------------------------------------------------------------------


def _words(value: str) -> str:
    """A regex for `value`: any run of spaces may be any whitespace."""
    return r"\s+".join(re.escape(part) for part in value.split())


def _bounded(pattern: str, value: str) -> str:
    start = r"(?<!\w)" if value[:1].isalnum() else ""
    end = r"(?!\w)" if value[-1:].isalnum() else ""
    return f"{start}{pattern}{end}"


def postcode_pattern(postcode: str) -> str:
    compact = re.sub(r"\s+", "", postcode)
    if len(compact) < 5:
        return _bounded(re.escape(compact), compact)
    return _bounded(rf"{re.escape(compact[:-3])}\s*{re.escape(compact[-3:])}", compact)


def phone_pattern(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0"):  # 01905 765765, also written +44 1905 765765
        lead = r"(?:0|\+\s*44\s*(?:\(0\)\s*)?)"
        digits = digits[1:]
    else:
        lead = ""
    return rf"(?<!\d){lead}{r'[\s().-]*'.join(digits)}(?!\d)"


def date_patterns(value: datetime.date) -> list[str]:
    month = value.strftime("%B")
    return [
        re.escape(value.isoformat()),
        rf"(?<!\d)0?{value.day}\s+{month}\s+{value.year}",
        rf"(?<!\d)0?{value.day}\s+{month[:3]}\s+{value.year}",
        rf"(?<!\d)0?{value.day}/0?{value.month}/{value.year}",
    ]


@dataclass
class Person:
    """One person's personal data, as patterns, and the first name a greeting may use."""

    first_name: str = ""
    emails: set[str] = field(default_factory=set)
    patterns: dict[str, str] = field(default_factory=dict)  # pattern: what it is

    def add(self, what: str, value: object) -> None:
        if value is None or value == "":
            return
        if isinstance(value, datetime.date):
            for pattern in date_patterns(value):
                self.patterns[pattern] = what
            return
        text = " ".join(str(value).split())
        if len(text) < SHORTEST:
            return
        if what == "postcode":
            pattern = postcode_pattern(text)
        elif what == "telephone":
            if len(re.sub(r"\D", "", text)) < 6:
                return
            pattern = phone_pattern(text)
        else:
            pattern = _bounded(_words(text), text)
        self.patterns[pattern] = what


def person(data: dict[str, Any]) -> Person:
    """A Person from an account's fields (a persona's, or a User's)."""
    found = Person(first_name=str(data.get("first_name") or ""))
    for name in ("email", "pending_email"):
        if data.get(name):
            found.emails.add(str(data[name]).lower())
            found.add("email address", data[name])
    found.add("first name", data.get("first_name"))
    found.add("surname", data.get("last_name"))
    if data.get("first_name") and data.get("last_name"):
        found.add("full name", f"{data['first_name']} {data['last_name']}")
    found.add("organisation", data.get("organisation"))
    found.add("telephone", data.get("telephone"))
    found.add("date of birth", data.get("date_of_birth"))
    address = data.get("address_data") or {}
    for part in ("property_name", "street", "area"):
        found.add("address", address.get(part))
    if address.get("house") and address.get("street"):
        found.add("address", f"{address['house']} {address['street']}")
    found.add("postcode", address.get("postcode"))
    return found


def user_fields(user: Any) -> dict[str, Any]:
    return {
        name: getattr(user, name, None)
        for name in (
            "email",
            "pending_email",
            "first_name",
            "last_name",
            "organisation",
            "telephone",
            "date_of_birth",
            "address_data",
        )
    }


def personas() -> list[Person]:
    """The personas of conftest.py, whether or not this test uses them."""
    from conftest import PERSONAS

    return [person(data) for data in PERSONAS.values()]


# --- Where it is looked for --------------------------------------------------------------


def decoded(text: str) -> list[str]:
    """`text`, then with URL-encoding and HTML entities undone, step by step, as often as
    they were applied (each step is looked at: undoing `+` can spoil a `%2B44`)."""
    steps = [text]
    for _ in range(5):
        text = html.unescape(unquote_plus(text))
        if text == steps[-1]:
            break
        steps.append(text)
    return steps


def html_text(markup: str) -> str:
    """The text of an HTML email's body, a line per element."""
    markup = re.sub(r"(?is)<head\b.*?</head>", "", markup)
    return html.unescape(re.sub(r"<[^>]+>", "\n", markup))


def without_greeting(text: str, first_names: Iterable[str]) -> str:
    """`text` less its first line, when that line is exactly "Dear <first name>," for one
    of the recipients' first names: the one thing an email may say about its reader."""
    lines = text.lstrip().split("\n", 1)
    names = {" ".join(name.split()).lower() for name in first_names if name}
    greeting = re.fullmatch(r"Dear (.+),", " ".join(lines[0].split()))
    if greeting and greeting.group(1).lower() in names:
        return lines[1] if len(lines) > 1 else ""
    return text


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def log_text(record: logging.LogRecord) -> str:
    """A record as a handler would write it: message, traceback, stack, `extra=` fields."""
    try:
        text = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
    except Exception:  # a record whose arguments do not fit its message
        text = f"{record.msg!r} {record.args!r}"
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
    extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
    if extras:
        text += f" extra={extras!r}"
    return text


@dataclass
class Watch:
    """What one test let out: URLs, log records, emails and process output."""

    people: list[Person] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    emails: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)

    def email(self, where: str, to: list[str], headers: list[str], parts: list[str]) -> None:
        """Note an email: `to` its recipients' addresses, `parts` its text parts (HTML
        parts as HTML)."""
        names = {p.first_name for p in self.people if p.emails & {a.lower() for a in to}}
        texts = list(headers)
        for part in parts:
            text = html_text(part) if re.search(r"(?i)<(html|body|p)\b", part) else part
            texts.append(without_greeting(text, names))
        self.emails.append((f"{where} to {to}", [a.lower() for a in to], texts))

    def smtp_message(self, message: EmailMessage) -> None:
        to = [address for _, address in getaddresses(message.get_all("To", []))]
        headers = []
        for name, value in message.items():
            if name.lower() == "to":
                value = str(value)
                for address in to:
                    value = re.sub(re.escape(address), "", value, flags=re.IGNORECASE)
            headers.append(f"{name}: {value}")
        parts = [
            str(part.get_content())
            for part in message.walk()
            if part.get_content_maintype() == "text"
        ]
        self.email("email (SMTP)", to, headers, parts)

    def outbox_message(self, message: Any) -> None:
        headers = [f"Subject: {message.subject}", f"From: {message.from_email}"]
        headers += [f"Cc: {message.cc}", f"Bcc: {message.bcc}", f"Reply-To: {message.reply_to}"]
        headers += [f"{name}: {value}" for name, value in (message.extra_headers or {}).items()]
        parts = [str(message.body)]
        parts += [str(content) for content, _ in getattr(message, "alternatives", [])]
        self.email("email (outbox)", list(message.to), headers, parts)

    def findings(self) -> list[str]:
        found: list[str] = []
        patterns = {}
        for someone in self.people:
            patterns.update(someone.patterns)
        for answer in ANSWERS:
            patterns[_bounded(_words(answer), answer)] = "an answer"
        if not patterns:
            return found
        search = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

        def look(where: str, text: str) -> None:
            for raw in decoded(text):
                match = search.search(raw)
                if match:
                    found.append(f"{where}: {match.group(0)!r} in {raw[:300]!r}")
                    return

        for url in self.urls:
            look("URL", url)
        for line in self.logs:
            look("log", line)
        for where, _, texts in self.emails:
            for text in texts:
                look(where, text)
        for command, output in self.outputs:
            look(f"output of {command}", output)
        return found


# --- Around every test -------------------------------------------------------------------


# The portal's processes whose output is its log: the task worker (`manage.py worker`
# runs `db_worker`). A command an operator runs may echo what they typed (create_staff
# names the account it made); the worker's output is read by whoever reads the logs.
WORKER_COMMANDS = ("db_worker", "worker")


def _portal_command(args: Any) -> str | None:
    """`manage.py db_worker` (the real worker in a process of its own), or None."""
    parts = [str(a) for a in args] if isinstance(args, (list, tuple)) else str(args).split()
    for number, part in enumerate(parts[:-1]):
        if part.endswith("manage.py") and parts[number + 1] in WORKER_COMMANDS:
            return f"manage.py {parts[number + 1]}"
    return None


@pytest.fixture(autouse=True)
def _no_personal_data_in_emails_logs_urls_or_output(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Watch]:
    from django.core import mail
    from django.core.handlers.base import BaseHandler
    from django.core.signals import request_started
    from django.db.models.signals import post_save

    from tests import smtp_server

    watch = Watch(people=personas())
    received_before = len(smtp_server.RECEIVED)

    def started(sender: Any, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if environ:
            query = environ.get("QUERY_STRING", "")
            watch.urls.append(environ.get("PATH_INFO", "") + (f"?{query}" if query else ""))

    def saved(sender: Any, instance: Any, **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        if isinstance(instance, get_user_model()):
            watch.people.append(person(user_fields(instance)))

    original_get_response = BaseHandler.get_response

    def get_response(self: BaseHandler, request: Any) -> Any:
        response = original_get_response(self, request)
        if response.has_header("Location"):
            watch.urls.append(f"redirect to {response['Location']}")
        return response

    original_handle = logging.Logger.handle

    def handle(self: logging.Logger, record: logging.LogRecord) -> Any:
        if record.name != "mail.log":  # aiosmtpd: the tests' own SMTP server
            watch.logs.append(log_text(record))
        return original_handle(self, record)

    original_run = subprocess.run

    def run(*args: Any, **kwargs: Any) -> Any:
        command = _portal_command(args[0] if args else kwargs.get("args"))
        result = original_run(*args, **kwargs)
        if command:
            uncaptured = f"Capture the output of {command} (capture_output=True): {__name__}"
            assert result.stdout is not None, uncaptured
            assert result.stderr is not None, uncaptured
            for stream in (result.stdout, result.stderr):
                text = stream.decode(errors="replace") if isinstance(stream, bytes) else stream
                watch.outputs.append((command, text))
        return result

    monkeypatch.setattr(BaseHandler, "get_response", get_response)
    monkeypatch.setattr(logging.Logger, "handle", handle)
    monkeypatch.setattr(subprocess, "run", run)
    request_started.connect(started)
    post_save.connect(saved, dispatch_uid="privacy_guard")
    try:
        yield watch
    finally:
        request_started.disconnect(started)
        post_save.disconnect(dispatch_uid="privacy_guard")
    for message in getattr(mail, "outbox", []):
        watch.outbox_message(message)
    for message in smtp_server.RECEIVED[received_before:]:
        watch.smtp_message(message)
    del smtp_server.RECEIVED[received_before:]
    found = watch.findings()
    assert not found, "Personal data where it must never be:\n" + "\n".join(found)
